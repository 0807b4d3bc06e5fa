package io.testbed.core;

import java.time.Duration;
import org.apiguardian.api.API;

/**
 * A command running in the background on a {@link Machine}, started by {@link Machine#start(String)}.
 *
 * <p>Lifecycle: a job runs until it exits or is {@link #kill() killed}. Jobs still running when their
 * test ends are killed by the harness. Ids are unique per machine and increase from 1.
 *
 * <p>Reverts: {@link Environment#revert} within a test puts the machine back to before the job started and breaks
 * the connection it ran on; the job then counts as finished without passing, and {@link #waitFor} and
 * {@link #kill()} throw a {@link TestbedException} naming the job, the machine and the broken connection (its
 * outcome is unknown). Start the job again after the revert.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface Job {

    /** The per-machine job id (1, 2, …). */
    int id();

    /** The command line as given. */
    String command();

    /** Whether the job has exited (by itself or killed). Never blocks. */
    boolean finished();

    /** Whether the job has finished with exit status 0. */
    boolean passed();

    /**
     * Waits for the job to exit and returns its result.
     *
     * @throws CommandTimeoutException when it is still running after {@code timeout}; the job is left running
     */
    ExecResult waitFor(Duration timeout);

    /**
     * Kills the job's whole remote process tree (the command and everything it started) and waits for it to be
     * gone. Idempotent.
     *
     * @return the result of the killed job (its exit status reflects the signal)
     */
    ExecResult kill();
}
