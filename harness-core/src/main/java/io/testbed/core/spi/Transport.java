package io.testbed.core.spi;

import io.testbed.core.TestbedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apiguardian.api.API;

/**
 * The few primitives a provider gives for reaching one machine: run a shell command, copy a file each way,
 * wait until the machine answers, drop the connection. {@code io.testbed.core.machine.TransportMachine}
 * builds the whole {@link io.testbed.core.Machine} API (expectations, timeouts that kill the remote process
 * tree, background jobs, restored settings, the command log) on top of these, so VMs and SSH hosts
 * ({@code io.testbed.core.ssh.SshTransport}) and containers (Docker exec) behave the same.
 *
 * <p>What an implementation must do, and what it must not:
 * <ul>
 *   <li>{@link #exec} hands the command line, unchanged, to a POSIX shell on the machine ({@code sh -c
 *       command}, or the login shell of an SSH user, which must be POSIX-compatible), with no terminal.
 *       It returns as soon as the command is running; it does not wait for it, time it out or kill it
 *       (the machine layer kills its process tree through a second {@code exec}).</li>
 *   <li>Standard input receives the given bytes followed by end-of-file; standard output and standard
 *       error are read continuously (so the remote side never blocks on a full pipe) and kept apart.</li>
 *   <li>Never put the command line, its standard input or file contents in a log or an exception message:
 *       they may carry secrets (environment values arrive on standard input for that reason).</li>
 *   <li>A broken connection is repaired transparently: if it breaks before a command reached the machine,
 *       reconnect and retry once; once a command may have started, never retry it, fail its
 *       {@link Execution#exitStatus()} instead.</li>
 *   <li>Implementations are thread-safe: jobs, the test thread and the harness use one transport at once.</li>
 * </ul>
 *
 * <p>Lifecycle: created by the provider when the machine is created, {@link #awaitReady} after every boot or
 * revert, {@link #close} at teardown. Errors are {@link TestbedException}s whose message names
 * {@link #target()} and says what to check next.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface Transport extends AutoCloseable {

    /** Who this transport talks to, for messages: {@code testbed@127.0.0.1:2222}, {@code container 3f2a…}. */
    String target();

    /**
     * Starts {@code command} on the machine and returns while it runs.
     *
     * @param command a POSIX shell command line
     * @param stdin   bytes for the command's standard input, followed by end-of-file; {@code null} or empty for
     *                end-of-file at once
     * @throws TestbedException when the command could not be started (the machine is unreachable even after
     *                          one reconnect, or the connection broke while the command was being started)
     */
    Execution exec(String command, byte[] stdin);

    /**
     * Copies a local file to {@code remotePath} on the machine, replacing it; parent directories must exist.
     * File modes are kept where the mechanism allows. Retried once on a fresh connection (it is idempotent).
     *
     * @throws TestbedException naming both paths when the copy fails
     */
    void upload(Path local, String remotePath);

    /**
     * Copies {@code remotePath} from the machine to a local file, replacing it. Retried once on a fresh
     * connection (it is idempotent).
     *
     * @throws TestbedException naming both paths when the copy fails
     */
    void download(String remotePath, Path local);

    /**
     * Waits until the machine runs a trivial command ({@code true}), polling with short connect timeouts, and
     * leaves a working connection behind. Call it after a boot and after every revert.
     *
     * @throws TestbedException naming the target, the timeout and the last error when it does not answer in time;
     *                          at once (without waiting) when retrying cannot help, e.g. a host key mismatch
     */
    void awaitReady(Duration timeout);

    /**
     * Forgets the current connection without waiting for it, e.g. because a snapshot revert made it stale on
     * the machine's side; the next call connects afresh. Running executions fail.
     */
    void dropConnection();

    /** Closes the connection and releases threads. Idempotent; later calls throw {@link IllegalStateException}. */
    @Override
    void close();

    /**
     * Runs {@code command} to completion, waiting at most {@code timeout}. A convenience for provider code
     * (readiness probes, small setup commands); it does not kill the remote command on timeout.
     *
     * @return the outcome; {@link Outcome#timedOut()} when it was still running after {@code timeout}
     * @throws TestbedException when it cannot be started or the connection breaks while it runs
     */
    default Outcome run(String command, byte[] stdin, Duration timeout) {
        try (Execution execution = exec(command, stdin)) {
            try {
                int status = execution.exitStatus().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                return new Outcome(status, execution.stdout(), execution.stderr(), false);
            } catch (TimeoutException e) {
                return new Outcome(-1, execution.stdout(), execution.stderr(), true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestbedException("Interrupted while waiting for a command on " + target(), e);
            } catch (ExecutionException e) {
                throw Execution.unwrap(e, target());
            }
        }
    }

    /**
     * A command started by {@link #exec}. Its output is read in the background as it arrives.
     */
    interface Execution extends AutoCloseable {

        /**
         * Completes once the command has exited and all its output has been read, with its exit status:
         * 0–255 as the remote shell reports it, {@code 128 + n} when it was killed by signal {@code n} (as a
         * shell reports it), {@code -1} when the machine reported neither. Completes exceptionally with a
         * {@link TestbedException} when the connection broke first.
         */
        CompletableFuture<Integer> exitStatus();

        /** A copy of the standard output read so far (all of it once {@link #exitStatus()} is done). */
        byte[] stdout();

        /** A copy of the standard error read so far (all of it once {@link #exitStatus()} is done). */
        byte[] stderr();

        /**
         * Stops reading and releases the channel. Does not signal the remote process: a command still running
         * may keep running (kill its process tree first). Idempotent; never throws.
         */
        @Override
        void close();

        /** The {@link TestbedException} behind a failed {@link #exitStatus()}, or one wrapping any other cause. */
        static TestbedException unwrap(ExecutionException e, String target) {
            if (e.getCause() instanceof TestbedException t) {
                return t;
            }
            return new TestbedException("Command on " + target + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The outcome of {@link Transport#run}.
     *
     * @param exitStatus the exit status as in {@link Execution#exitStatus()}, {@code -1} when timed out
     * @param stdout     standard output (so far, when timed out)
     * @param stderr     standard error (so far, when timed out)
     * @param timedOut   whether the command was still running when the wait ended
     */
    record Outcome(int exitStatus, byte[] stdout, byte[] stderr, boolean timedOut) {

        /** Standard output decoded as UTF-8. */
        public String stdoutText() {
            return new String(stdout, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** Standard error decoded as UTF-8. */
        public String stderrText() {
            return new String(stderr, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
