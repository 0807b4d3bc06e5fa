package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.spi.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over SSH (sshj): one persistent connection per machine, public-key authentication with the
 * prefix's ed25519 key, and the server's host key pinned ({@link PinnedHostKey}; a mismatch fails at once with
 * {@link HostKeyMismatchException}).
 *
 * <ul>
 *   <li>Each command is one session channel on the persistent connection ({@link SshConnection}); nothing is
 *       sent while idle (no keep-alive).</li>
 *   <li>A dead connection (server restarted, connection killed, VM reverted) is detected when a channel cannot
 *       be opened; the transport then reconnects, polling up to the reconnect timeout, and retries the
 *       command once — it had not reached the server. A command whose connection breaks later fails instead.</li>
 *   <li>Connection attempts use a short TCP connect timeout (1 s by default) and a bounded handshake, so
 *       {@link #awaitReady} polls a booting machine quickly.</li>
 *   <li>Files move over SFTP when the server offers it, otherwise through {@code cat} on an exec channel
 *       ({@link SshFiles}).</li>
 *   <li>Command lines, standard input and file contents are never logged by this class.</li>
 * </ul>
 *
 * <p>Thread-safe. Build with {@link #builder()}; {@link #close()} when the machine is destroyed.
 */
@API(status = API.Status.INTERNAL)
public final class SshTransport implements Transport {

    /** TCP connect timeout of each connection attempt. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** How long key exchange and authentication of one attempt may take. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** How long the server may take to answer a request (open a channel, start a command, close it). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long a transparent reconnect keeps trying. */
    public static final Duration DEFAULT_RECONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Bytes of each output stream kept in memory per command; further output is read and dropped. */
    static final int OUTPUT_LIMIT = 64 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(SshTransport.class);
    /** How long {@link #awaitReady} lets a connection made before the call answer before replacing it. */
    private static final Duration STALE_PATIENCE = Duration.ofSeconds(2);

    private final SshSettings settings;
    private final String target;
    private final SshConnection connection;
    private final SshFiles files;

    SshTransport(SshSettings settings) {
        this.settings = settings;
        this.target = settings.target();
        this.connection = new SshConnection(settings);
        this.files = new SshFiles(connection, settings);
    }

    /** Starts building a transport; host, user, private key and host key are required. */
    public static SshTransportBuilder builder() {
        return new SshTransportBuilder();
    }

    @Override
    public String target() {
        return target;
    }

    /** The pinned host key. */
    public PinnedHostKey hostKey() {
        return settings.hostKey();
    }

    @Override
    public Execution exec(String command, byte[] stdin) {
        Objects.requireNonNull(command, "command");
        SshExecution execution = connection.start(command, null);
        try (OutputStream in = execution.stdin()) {
            if (stdin != null && stdin.length > 0) {
                in.write(stdin);
            }
            in.flush(); // ChannelOutputStream.close() does not flush what exceeds the remote window
        } catch (IOException e) {
            // The command runs already; it may have exited without reading its input. Its exit status tells.
            LOG.debug("Cannot write standard input of a command on {}: {}", target, e.toString());
        }
        return execution;
    }

    @Override
    public void upload(Path local, String remotePath) {
        files.upload(local, remotePath);
    }

    @Override
    public void download(String remotePath, Path local) {
        files.download(remotePath, local);
    }

    @Override
    public void awaitReady(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Deadline deadline = Deadline.after(timeout);
        Exception last = null;
        int attempts = 0;
        while (true) {
            attempts++;
            Duration remaining = deadline.remainingAtLeast(Duration.ofMillis(1));
            try {
                SSHClient existing = connection.current();
                SSHClient c = connection.connection(remaining);
                // A connection that predates this call may be stale (a reverted VM does not know it and may not
                // even reset it): give it a short while, then drop it and connect afresh.
                Duration patience =
                        c == existing && remaining.compareTo(STALE_PATIENCE) > 0 ? STALE_PATIENCE : remaining;
                Future<Outcome> probing = connection.io().submit(() -> probe(c, patience));
                Outcome outcome;
                try {
                    outcome = probing.get(patience.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    connection.discard(c); // makes the probe fail at once
                    throw new TestbedException(
                            "the existing connection did not answer within " + patience.toMillis() + " ms; dropped it");
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof TestbedException t
                            ? t
                            : new TestbedException(SshConnection.describe(e.getCause()), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TestbedException("Interrupted while waiting for " + target, e);
                }
                if (!outcome.timedOut() && outcome.exitStatus() == 0) {
                    LOG.debug(
                            "{} answered after {} ms ({} attempts)",
                            target,
                            deadline.elapsed().toMillis(),
                            attempts);
                    return;
                }
                last = new TestbedException(
                        outcome.timedOut()
                                ? "'true' did not answer in time"
                                : "'true' exited " + outcome.exitStatus() + ": "
                                        + outcome.stderrText().strip());
            } catch (HostKeyMismatchException e) {
                throw e;
            } catch (TestbedException e) {
                last = e;
            }
            if (deadline.expired()) {
                break;
            }
            connection.pause(deadline);
        }
        throw new TestbedException(
                "SSH on " + target + " did not answer within " + timeout.toMillis() + " ms ("
                        + attempts + " attempts); last error: " + SshConnection.describe(last)
                        + ". Check that the machine"
                        + " booted (its console log) and that sshd listens on port " + settings.port() + ".",
                last);
    }

    /** Runs {@code true} on {@code c} without the transparent reconnect of {@link #exec}. */
    private Outcome probe(SSHClient c, Duration timeout) {
        Session session;
        try {
            session = c.startSession();
        } catch (IOException e) {
            connection.discard(c);
            throw new TestbedException("cannot open a session: " + e.getMessage(), e);
        }
        Session.Command cmd;
        try {
            cmd = session.exec("true");
        } catch (IOException e) {
            SshConnection.closeQuietly(session);
            connection.discard(c);
            throw new TestbedException("cannot start 'true': " + e.getMessage(), e);
        }
        try (SshExecution execution =
                new SshExecution(session, cmd, null, connection.io(), target, settings.requestTimeout())) {
            execution.startPumps();
            execution.stdin().close();
            int status = execution.exitStatus().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Outcome(status, execution.stdout(), execution.stderr(), false);
        } catch (TimeoutException e) {
            return new Outcome(-1, new byte[0], new byte[0], true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("Interrupted while waiting for " + target, e);
        } catch (ExecutionException e) {
            throw Execution.unwrap(e, target);
        } catch (IOException e) {
            throw new TestbedException("cannot close standard input of 'true': " + e.getMessage(), e);
        }
    }

    @Override
    public void dropConnection() {
        connection.drop();
    }

    @Override
    public void close() {
        connection.close();
    }

    @Override
    public String toString() {
        return "SshTransport[" + target + ", host key " + settings.hostKey() + "]";
    }

    /** Exit status a shell reports for a process killed by {@code signal}: 128 + its number. */
    static int signalStatus(Signal signal) {
        return SshExecution.signalStatus(signal);
    }
}
