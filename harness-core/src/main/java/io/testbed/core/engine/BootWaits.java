package io.testbed.core.engine;

import io.testbed.core.TestbedException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The machines of one provisioning that are waiting for their boot, so that the first machine that fails ends its
 * siblings' waits at once (their threads are interrupted) instead of letting the rollback wait for their boot
 * timeouts, and machines not yet created are not created at all. Only the wait for readiness is interrupted,
 * never a provider's create or start call, whose half-made objects the rollback could not see.
 */
final class BootWaits {

    /** A machine that stopped waiting, or was never created, because a sibling failed: never the root cause. */
    static final class Abandoned extends TestbedException {
        private static final long serialVersionUID = 1L;

        Abandoned(String machine, String failed) {
            super("machine '" + machine + "' stopped provisioning because machine '" + failed + "' failed");
        }
    }

    private final Set<Thread> waiting = new HashSet<>();
    private String failed;

    /** Throws {@link Abandoned} when a sibling has failed already: call before creating {@code machine}. */
    synchronized void checkNoSiblingFailed(String machine) {
        if (failed != null) {
            throw new Abandoned(machine, failed);
        }
    }

    /**
     * Runs {@code wait} (a machine's wait for readiness), interrupted when a sibling fails meanwhile; its failure
     * then becomes {@link Abandoned}.
     */
    <T> T await(String machine, Supplier<T> wait) {
        synchronized (this) {
            checkNoSiblingFailed(machine);
            waiting.add(Thread.currentThread());
        }
        try {
            return wait.get();
        } catch (RuntimeException e) {
            synchronized (this) {
                if (failed != null && !failed.equals(machine)) {
                    Abandoned abandoned = new Abandoned(machine, failed);
                    abandoned.addSuppressed(e);
                    throw abandoned;
                }
            }
            throw e;
        } finally {
            synchronized (this) {
                waiting.remove(Thread.currentThread());
                Thread.interrupted(); // a pool thread must not carry our interrupt into its next task
            }
        }
    }

    /** Records that {@code machine} failed and interrupts every sibling still waiting for its boot. */
    synchronized void failed(String machine) {
        if (failed == null) {
            failed = machine;
            waiting.forEach(Thread::interrupt);
        }
    }
}
