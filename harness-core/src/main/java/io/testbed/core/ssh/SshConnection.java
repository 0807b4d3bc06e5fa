package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one persistent SSH connection of an {@link SshTransport}, its SFTP client and its I/O threads: connects on
 * first use (polling with a short TCP connect timeout and a bounded handshake), reconnects when the connection died,
 * and opens session channels, reconnecting once when a channel cannot be opened (the command had not reached the
 * server then). Thread-safe.
 */
final class SshConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SshConnection.class);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final SshSettings settings;
    private final String target;
    private final Config config;
    private final KeyProvider keys;
    private final ExecutorService io;

    private SSHClient client; // guarded by this
    private SFTPClient sftp; // guarded by this; belongs to client
    private boolean closed; // guarded by this
    private volatile boolean sftpMissing;
    /** Whether a connection ever succeeded: then a server that refuses new ones has stopped answering. */
    private volatile boolean answeredBefore;

    SshConnection(SshSettings settings) {
        this.settings = settings;
        this.target = settings.target();
        this.config = SharedConfig.INSTANCE;
        this.keys = loadKeys(settings.privateKey());
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "testbed-ssh-" + target + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.io = Executors.newCachedThreadPool(factory);
    }

    /** The I/O threads that pump output and close channels in the background. */
    ExecutorService io() {
        return io;
    }

    /**
     * Opens a session and starts {@code command}; its output is pumped in the background. Standard input is left
     * open for the caller.
     *
     * @param stdoutSink where standard output goes, or {@code null} to keep it in memory
     */
    SshExecution start(String command, OutputStream stdoutSink) {
        Session session = openSession();
        Session.Command cmd;
        try {
            cmd = session.exec(command);
        } catch (IOException e) {
            closeQuietly(session);
            throw new TestbedException(
                    "The SSH connection to " + target + " broke while a command was being"
                            + " started, so it may or may not have run (" + e.getMessage() + "). Not retried; check the"
                            + " machine (did it reboot or get reverted?).",
                    e);
        }
        SshExecution execution = new SshExecution(session, cmd, stdoutSink, io, target, settings.requestTimeout());
        execution.startPumps();
        return execution;
    }

    /** Opens a session channel, reconnecting once when the connection turns out to be dead. */
    private Session openSession() {
        SSHClient current = connection(settings.reconnectTimeout());
        try {
            return current.startSession();
        } catch (OpenFailException e) {
            throw refusedChannel(e);
        } catch (IOException e) {
            LOG.debug("Cannot open a session on {} ({}); reconnecting", target, e.toString());
            discard(current);
        }
        SSHClient fresh = connection(settings.reconnectTimeout());
        try {
            return fresh.startSession();
        } catch (OpenFailException e) {
            throw refusedChannel(e);
        } catch (IOException e) {
            discard(fresh);
            throw new TestbedException(
                    "Cannot open an SSH session on " + target + " even on a fresh connection: " + e
                            + ". Check that sshd on the machine is healthy (its log, MaxSessions).",
                    e);
        }
    }

    private TestbedException refusedChannel(OpenFailException e) {
        return new TestbedException(
                "The SSH server at " + target + " refused a new session channel (" + e.getMessage()
                        + "). Its MaxSessions limit may be reached by too many background jobs at once; kill finished jobs"
                        + " or raise MaxSessions in the server's sshd_config.",
                e);
    }

    /** The SFTP client of {@code c}, or {@code null} when SFTP is disabled or the server offers no SFTP subsystem. */
    SFTPClient sftp(SSHClient c) throws IOException {
        if (!settings.sftp() || sftpMissing) {
            return null;
        }
        synchronized (this) {
            if (sftp != null && client == c) {
                return sftp;
            }
        }
        SFTPClient fresh;
        try {
            fresh = c.newSFTPClient();
        } catch (IOException e) {
            if (!c.isConnected()) {
                throw e;
            }
            LOG.debug("No SFTP on {} ({}); copying files with cat", target, e.toString());
            sftpMissing = true;
            return null;
        }
        synchronized (this) {
            if (client == c && sftp == null) {
                sftp = fresh;
                return fresh;
            }
        }
        return fresh; // another thread raced us, or the connection changed: use this one once
    }

    /** The current connection, if any, without connecting. */
    synchronized SSHClient current() {
        return client;
    }

    /** The live connection, connecting (polling up to {@code timeout}) when there is none or it died. */
    synchronized SSHClient connection(Duration timeout) {
        if (closed) {
            throw new IllegalStateException("The SSH transport to " + target + " is closed");
        }
        if (client != null && client.isConnected() && client.isAuthenticated()) {
            return client;
        }
        if (client != null) {
            SSHClient dead = client;
            client = null;
            sftp = null;
            closeQuietly(dead);
        }
        client = connectPolling(timeout);
        return client;
    }

    /** Forgets {@code dead} if it is still the current connection and closes it. */
    void discard(SSHClient dead) {
        synchronized (this) {
            if (client == dead) {
                client = null;
                sftp = null;
            }
        }
        closeQuietly(dead);
    }

    /** Forgets the current connection and closes it in the background; the next call connects afresh. */
    void drop() {
        SSHClient old;
        synchronized (this) {
            old = client;
            client = null;
            sftp = null;
        }
        if (old != null) {
            inBackground(io, () -> closeQuietly(old));
        }
    }

    /** Closes the connection and stops the I/O threads. Idempotent. */
    void close() {
        SSHClient old;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            old = client;
            client = null;
            sftp = null;
        }
        if (old != null) {
            closeQuietly(old);
        }
        io.shutdownNow();
    }

    private SSHClient connectPolling(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        TestbedException last;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                SSHClient c = connectOnce();
                answeredBefore = true;
                if (attempts > 1) {
                    LOG.debug(
                            "Connected to {} after {} attempts, {} ms",
                            target,
                            attempts,
                            deadline.elapsed().toMillis());
                }
                return c;
            } catch (HostKeyMismatchException e) {
                throw e;
            } catch (TestbedException e) {
                last = e;
            }
            if (deadline.expired()) {
                if (answeredBefore) {
                    throw new TestbedException(
                            "The SSH server at " + target + " stopped answering: it had accepted connections, but no"
                                    + " new one within " + timeout.toMillis() + " ms (" + attempts + " attempts): "
                                    + last.getMessage() + ". Check that sshd still runs on the machine (its console"
                                    + " log); a revert to a snapshot taken while it ran brings it back.",
                            last);
                }
                throw new TestbedException(
                        "Cannot connect to " + target + " within " + timeout.toMillis() + " ms (" + attempts
                                + " attempts): " + last.getMessage(),
                        last);
            }
            pause(deadline);
        }
    }

    /** One connection attempt: TCP connect, key exchange with the pinned host key, public key authentication. */
    private SSHClient connectOnce() {
        SSHClient c = new SSHClient(config);
        PinnedHostKey hostKey = settings.hostKey();
        PinnedHostKey.Verifier verifier = hostKey.verifier();
        c.addHostKeyVerifier(verifier);
        c.setConnectTimeout(millis(settings.connectTimeout()));
        c.setSocketFactory(NoDelaySocketFactory.INSTANCE);
        c.getTransport().setTimeoutMs(millis(settings.handshakeTimeout()));
        c.getConnection().setTimeoutMs(millis(settings.requestTimeout()));
        try {
            c.connect(settings.host(), settings.port());
        } catch (IOException e) {
            closeQuietly(c);
            if (verifier.refused() != null) {
                throw new HostKeyMismatchException(
                        target,
                        hostKey.toString(),
                        KeyType.fromKey(verifier.refused()) + " " + PinnedHostKey.fingerprint(verifier.refused()));
            }
            throw new TestbedException("cannot connect to " + target + ": " + describe(e), e);
        }
        try {
            c.authPublickey(settings.user(), keys);
        } catch (UserAuthException e) {
            closeQuietly(c);
            throw new TestbedException(
                    "the server at " + target + " refused public key authentication as '"
                            + settings.user() + "' with " + settings.privateKey() + " (" + e.getMessage()
                            + "); add the line of "
                            + settings.privateKey() + ".pub to that user's authorized_keys",
                    e);
        } catch (IOException e) {
            closeQuietly(c);
            throw new TestbedException("authentication on " + target + " failed: " + describe(e), e);
        }
        c.getTransport().setTimeoutMs(millis(settings.requestTimeout()));
        return c;
    }

    /** Waits {@link #RETRY_PAUSE} before the next attempt, or less when the deadline comes sooner. */
    void pause(Deadline deadline) {
        try {
            deadline.pause(RETRY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("Interrupted while connecting to " + target, e);
        }
    }

    private KeyProvider loadKeys(java.nio.file.Path key) {
        try {
            KeyProvider provider = new SSHClient(config).loadKeys(key.toString());
            provider.getPublic(); // reads and checks the file now rather than at the first connection
            return provider;
        } catch (IOException | RuntimeException e) {
            throw new TestbedException(
                    "Cannot load the SSH private key " + key + ": " + e.getMessage()
                            + "; it must be an unencrypted OpenSSH private key such as SshKeys.generate writes",
                    e);
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** The message of {@code e}, or its class name when it has none. */
    static String describe(Throwable e) {
        if (e == null) {
            return "none";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Runs {@code task} on an I/O thread, or right here once the transport is closed. */
    static void inBackground(ExecutorService io, Runnable task) {
        try {
            io.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.trace("close failed", e);
        }
    }

    /** One sshj config for all transports: building its algorithm lists is costly, and it is only read. */
    private static final class SharedConfig {
        static final Config INSTANCE = new DefaultConfig();
    }
}
