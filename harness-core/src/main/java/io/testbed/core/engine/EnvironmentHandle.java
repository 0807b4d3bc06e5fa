package io.testbed.core.engine;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.MachineControl;
import io.testbed.core.internal.support.Failures;
import io.testbed.core.journal.Journal;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The owner's side of a provisioned environment, as {@link Engine#provision} returns it: the {@link Environment}
 * tests see, plus what only the owner (the JUnit extension, a benchmark, a test of the engine) may do — reset the
 * machines between tests and tear everything down. Tests get {@link #environment()}, which cannot be closed.
 *
 * <p>Lifecycle: {@link #close()} exactly once when the environment is no longer needed; it is idempotent, so a
 * second call (a store closing what an explicit release already closed) does nothing. Thread-safe.
 */
@API(status = API.Status.INTERNAL)
public final class EnvironmentHandle implements AutoCloseable {

    private final LiveEnvironment environment;

    EnvironmentHandle(LiveEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** The environment as tests use it. */
    public Environment environment() {
        return environment;
    }

    /**
     * The environment's journal: the typed events of its provisioning, its tests and every command run on its
     * machines, as written to {@code journal.jsonl} in the prefix. Listeners added here see later events; the JUnit
     * extension records test boundaries into it. Closed with the environment.
     */
    public Journal journal() {
        return environment.journal();
    }

    /**
     * Kills the background jobs and restores the settings of every machine ({@link MachineControl}), trying every
     * machine even when one fails, then brings the links back to the declared constraints without cuts
     * ({@link io.testbed.core.Links}).
     *
     * @throws TestbedException the first failure, with the others suppressed
     */
    public void resetMachines() {
        RuntimeException failure = null;
        for (Machine machine : environment.machines()) {
            if (!(machine instanceof MachineControl control)) {
                continue; // nothing the harness could undo
            }
            try {
                control.killJobs();
            } catch (RuntimeException e) {
                failure = Failures.add(failure, e);
            }
            try {
                control.restoreSettings();
            } catch (RuntimeException e) {
                failure = Failures.add(failure, e);
            }
        }
        try {
            environment.resetLinks();
        } catch (RuntimeException e) {
            failure = Failures.add(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Tears the environment down and releases its leases. Idempotent.
     *
     * @throws TestbedException naming what teardown could not remove (the reaper finds it later)
     */
    @Override
    public void close() {
        environment.tearDown();
    }

    @Override
    public String toString() {
        return "handle of environment " + environment.name() + " (" + environment.prefixDir() + ")";
    }
}
