package io.testbed.core.machine;

import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.spi.Transport;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Kills a command's processes on its machine: every process carrying the command's run id in
 * {@code TESTBED_RUN}, or descending from one, is frozen and killed by {@link ShellScripts#killScript} run as a
 * second command over the same transport. Each kill is written to the journal.
 */
final class ProcessKiller {

    /** How long to keep killing a command, until its channel closes, after deciding to kill it. */
    static final Duration KILL_GRACE = Duration.ofSeconds(10);
    /** How long to wait for a command's channel to close after a kill round before searching again. */
    static final Duration KILL_ROUND = Duration.ofMillis(500);
    /** {@link #killTree} outcome: processes of the command were killed and its channel closed. */
    static final String KILLED = "was killed";
    /** {@link #killTree} outcome: the command ended before any process of it was found. */
    static final String ALREADY_FINISHED = "had already finished";

    private final String machine;
    private final Transport transport;
    private final MachineJournal journal;

    ProcessKiller(String machine, Transport transport, MachineJournal journal) {
        this.machine = machine;
        this.transport = transport;
        this.journal = journal;
    }

    /**
     * Kills every process of a running execution and waits for its end. Returns what happened, completing
     * "the command …": {@code was killed}, {@code had already finished}, or why it could not be killed.
     *
     * <p>Searches and kills in rounds until the channel closes: a command whose channel was just opened may not
     * have started on the machine yet, so the first round can find nothing.
     */
    String killTree(Transport.Execution execution, String runId) {
        Deadline deadline = Deadline.after(KILL_GRACE);
        int rounds = 0;
        boolean found = false;
        while (!execution.exitStatus().isDone()) {
            if (deadline.expired()) {
                execution.close();
                return found
                        ? "was sent SIGKILL but its channel did not close within " + KILL_GRACE.toSeconds() + " s (run "
                                + runId + ")"
                        : "may still be running: no process of it (environment TESTBED_RUN=" + runId + ") was found"
                                + " within " + KILL_GRACE.toSeconds() + " s, so it could not be killed (is /proc"
                                + " mounted, and grep installed on the machine?)";
            }
            rounds++;
            try {
                found |= !killRound(runId, "run " + runId).isEmpty();
            } catch (TestbedException e) {
                return "may still be running: killing it (run " + runId + ") failed: " + e.getMessage();
            }
            try {
                execution
                        .exitStatus()
                        .get(
                                Math.min(
                                        KILL_ROUND.toNanos() * rounds,
                                        deadline.remaining().toNanos()),
                                TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // not closed yet: search again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return found ? "was sent SIGKILL" : "may still be running: interrupted while killing it";
            } catch (ExecutionException e) {
                return "was killed (its connection broke meanwhile)";
            }
        }
        return found ? KILLED : ALREADY_FINISHED;
    }

    /**
     * Best effort after a command's connection broke: its processes may still run on the machine (an SSH host
     * keeps them; a reverted VM does not), so kill them over a fresh connection. Never throws.
     */
    void killOrphan(String runId) {
        try {
            killRound(runId, "leftovers of run " + runId);
        } catch (RuntimeException e) {
            // logged by killRound; best effort
        }
    }

    /**
     * Runs the kill script for {@code runId} once and logs it as {@code what}. Returns the pids it killed, empty
     * when it found none.
     *
     * @throws RuntimeException what the transport threw (logged first)
     */
    private String killRound(String runId, String what) {
        long start = System.nanoTime();
        try {
            Transport.Outcome outcome =
                    transport.run(ShellScripts.killScript(runId), null, TransportMachine.HELPER_TIMEOUT);
            String killed = TransportMachine.text(outcome.stdout()).strip();
            journal.commandRan(
                    CommandEvent.Purpose.KILL,
                    what,
                    RunOptions.defaults(),
                    outcome.timedOut() ? CommandEvent.Outcome.TIMED_OUT : CommandEvent.Outcome.EXITED,
                    outcome.timedOut() ? null : outcome.exitStatus(),
                    null,
                    TransportMachine.elapsed(start),
                    killed,
                    null);
            return killed;
        } catch (RuntimeException e) {
            journal.commandRan(
                    CommandEvent.Purpose.KILL,
                    what,
                    RunOptions.defaults(),
                    CommandEvent.Outcome.ERROR,
                    null,
                    e.getMessage(),
                    TransportMachine.elapsed(start),
                    null,
                    null);
            throw e;
        }
    }
}
