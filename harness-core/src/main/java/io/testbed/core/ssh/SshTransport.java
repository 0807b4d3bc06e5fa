package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.spi.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.xfer.FileSystemFile;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over SSH (sshj): one persistent connection per machine, public-key authentication with the
 * prefix's ed25519 key, and the server's host key pinned ({@link PinnedHostKey}; a mismatch fails at once with
 * {@link HostKeyMismatchException}).
 *
 * <ul>
 *   <li>Each command is one session channel on the persistent connection (≈ 1 ms on loopback); nothing is
 *       sent while idle (no keep-alive).</li>
 *   <li>A dead connection (server restarted, connection killed, VM reverted) is detected when a channel cannot
 *       be opened; the transport then reconnects, polling up to the reconnect timeout, and retries the
 *       command once — it had not reached the server. A command whose connection breaks later fails instead.</li>
 *   <li>Connection attempts use a short TCP connect timeout (1 s by default) and a bounded handshake, so
 *       {@link #awaitReady} polls a booting machine quickly.</li>
 *   <li>Files move over SFTP when the server offers it, otherwise through {@code cat} on an exec channel.</li>
 *   <li>Command lines, standard input and file contents are never logged by this class.</li>
 * </ul>
 *
 * <p>Thread-safe. Build with {@link #builder()}; {@link #close()} when the machine is destroyed.
 */
@API(status = API.Status.EXPERIMENTAL)
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
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);
    /** How long {@link #awaitReady} lets a connection made before the call answer before replacing it. */
    private static final Duration STALE_PATIENCE = Duration.ofSeconds(2);

    private final String host;
    private final int port;
    private final String user;
    private final Path privateKey;
    private final PinnedHostKey hostKey;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final Duration requestTimeout;
    private final Duration reconnectTimeout;
    private final boolean sftpAllowed;
    private final String target;
    private final Config config;
    private final KeyProvider keys;
    private final ExecutorService io;

    private SSHClient client; // guarded by this
    private SFTPClient sftp; // guarded by this; belongs to client
    private boolean closed; // guarded by this
    private volatile boolean sftpMissing;

    private SshTransport(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.privateKey = b.privateKey;
        this.hostKey = b.hostKey;
        this.connectTimeout = b.connectTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.requestTimeout = b.requestTimeout;
        this.reconnectTimeout = b.reconnectTimeout;
        this.sftpAllowed = b.sftp;
        this.target = user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.config = SharedConfig.INSTANCE;
        this.keys = loadKeys(privateKey);
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "testbed-ssh-" + target + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.io = Executors.newCachedThreadPool(factory);
    }

    /** Starts building a transport; host, user, private key and host key are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String target() {
        return target;
    }

    /** The pinned host key. */
    public PinnedHostKey hostKey() {
        return hostKey;
    }

    // ---------------------------------------------------------------- commands

    @Override
    public Execution exec(String command, byte[] stdin) {
        Objects.requireNonNull(command, "command");
        SshExecution execution = start(command, null);
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

    /**
     * Opens a session and starts {@code command}; its output is pumped in the background. Standard input is left
     * open for the caller.
     *
     * @param stdoutSink where standard output goes, or {@code null} to keep it in memory
     */
    private SshExecution start(String command, OutputStream stdoutSink) {
        Session session = openSession();
        Session.Command cmd;
        try {
            cmd = session.exec(command);
        } catch (IOException e) {
            closeQuietly(session);
            throw new TestbedException("The SSH connection to " + target + " broke while a command was being"
                    + " started, so it may or may not have run (" + e.getMessage() + "). Not retried; check the"
                    + " machine (did it reboot or get reverted?).", e);
        }
        SshExecution execution = new SshExecution(session, cmd, stdoutSink);
        execution.startPumps();
        return execution;
    }

    /** Opens a session channel, reconnecting once when the connection turns out to be dead. */
    private Session openSession() {
        SSHClient current = connection(reconnectTimeout);
        try {
            return current.startSession();
        } catch (OpenFailException e) {
            throw refusedChannel(e);
        } catch (IOException e) {
            LOG.debug("Cannot open a session on {} ({}); reconnecting", target, e.toString());
            discard(current);
        }
        SSHClient fresh = connection(reconnectTimeout);
        try {
            return fresh.startSession();
        } catch (OpenFailException e) {
            throw refusedChannel(e);
        } catch (IOException e) {
            discard(fresh);
            throw new TestbedException("Cannot open an SSH session on " + target + " even on a fresh connection: " + e
                    + ". Check that sshd on the machine is healthy (its log, MaxSessions).", e);
        }
    }

    private TestbedException refusedChannel(OpenFailException e) {
        return new TestbedException("The SSH server at " + target + " refused a new session channel (" + e.getMessage()
                + "). Its MaxSessions limit may be reached by too many background jobs at once; kill finished jobs"
                + " or raise MaxSessions in the server's sshd_config.", e);
    }

    // ---------------------------------------------------------------- files

    @Override
    public void upload(Path local, String remotePath) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remotePath, "remotePath");
        if (!Files.isRegularFile(local) || !Files.isReadable(local)) {
            throw new TestbedException("Cannot upload " + local + " to " + target + ":" + remotePath
                    + ": it is not a readable regular file");
        }
        transfer("upload " + local + " to " + target + ":" + remotePath,
                c -> {
                    SFTPClient s = sftp(c);
                    if (s != null) {
                        s.put(new PosixFile(local), remotePath);
                    } else {
                        uploadWithCat(local, remotePath);
                    }
                });
    }

    @Override
    public void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        transfer("download " + target + ":" + remotePath + " to " + local,
                c -> {
                    SFTPClient s = sftp(c);
                    if (s != null) {
                        s.get(remotePath, new PosixFile(local));
                    } else {
                        downloadWithCat(remotePath, local);
                    }
                });
    }

    private interface TransferStep {
        void run(SSHClient client) throws IOException;
    }

    /** Runs a file transfer, once more on a fresh connection if the connection broke under it (it is idempotent). */
    private void transfer(String what, TransferStep step) {
        for (int attempt = 1; ; attempt++) {
            SSHClient c = connection(reconnectTimeout);
            try {
                step.run(c);
                return;
            } catch (IOException | TestbedException e) {
                boolean broken = !c.isConnected();
                if (broken && attempt == 1) {
                    LOG.debug("Connection to {} broke during {}; retrying once", target, what);
                    discard(c);
                    continue;
                }
                throw new TestbedException("Cannot " + what + ": " + describe(e)
                        + ". Check that the remote directory exists and that user '" + user + "' may write"
                        + " (upload) or read (download) the file there.", e);
            }
        }
    }

    /** The SFTP client of {@code c}, or {@code null} when SFTP is disabled or the server offers no SFTP subsystem. */
    private SFTPClient sftp(SSHClient c) throws IOException {
        if (!sftpAllowed || sftpMissing) {
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

    private void uploadWithCat(Path local, String remotePath) throws IOException {
        String mode = "";
        try {
            mode = " && chmod " + Integer.toOctalString(PosixFile.modeOf(local)) + " " + quote(remotePath);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the remote default mode
        }
        SshExecution execution = start("cat > " + quote(remotePath) + mode, null);
        try (execution) {
            try (InputStream in = Files.newInputStream(local); OutputStream out = execution.stdin()) {
                in.transferTo(out);
                out.flush(); // ChannelOutputStream.close() does not flush what exceeds the remote window
            }
            int status = execution.await(requestTimeout);
            if (status != 0) {
                throw new IOException("remote 'cat' exited " + status + ": "
                        + new String(execution.stderr(), java.nio.charset.StandardCharsets.UTF_8).strip());
            }
        }
    }

    private void downloadWithCat(String remotePath, Path local) throws IOException {
        Path dir = local.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + local.getFileName(), ".part");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                SshExecution execution = start("cat " + quote(remotePath), out);
                try (execution) {
                    execution.stdin().close();
                    int status = execution.await(requestTimeout);
                    if (status != 0) {
                        throw new IOException("remote 'cat' exited " + status + ": "
                                + new String(execution.stderr(), java.nio.charset.StandardCharsets.UTF_8).strip());
                    }
                }
            }
            Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    // ---------------------------------------------------------------- connection

    @Override
    public void awaitReady(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Exception last = null;
        int attempts = 0;
        while (true) {
            attempts++;
            Duration remaining = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
            try {
                SSHClient existing = currentClient();
                SSHClient c = connection(remaining);
                // A connection that predates this call may be stale (a reverted VM does not know it and may not
                // even reset it): give it a short while, then drop it and connect afresh.
                Duration patience = c == existing && remaining.compareTo(STALE_PATIENCE) > 0 ? STALE_PATIENCE
                        : remaining;
                Future<Outcome> probing = io.submit(() -> probe(c, patience));
                Outcome outcome;
                try {
                    outcome = probing.get(patience.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    discard(c); // makes the probe fail at once
                    throw new TestbedException("the existing connection did not answer within " + patience.toMillis()
                            + " ms; dropped it");
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof TestbedException t ? t
                            : new TestbedException(describe(e.getCause()), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TestbedException("Interrupted while waiting for " + target, e);
                }
                if (!outcome.timedOut() && outcome.exitStatus() == 0) {
                    LOG.debug("{} answered after {} ms ({} attempts)", target,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), attempts);
                    return;
                }
                last = new TestbedException(outcome.timedOut() ? "'true' did not answer in time"
                        : "'true' exited " + outcome.exitStatus() + ": " + outcome.stderrText().strip());
            } catch (HostKeyMismatchException e) {
                throw e;
            } catch (TestbedException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            pause(deadline);
        }
        throw new TestbedException("SSH on " + target + " did not answer within " + timeout.toMillis() + " ms ("
                + attempts + " attempts); last error: " + describe(last) + ". Check that the machine booted (its"
                + " console log) and that sshd listens on port " + port + ".", last);
    }

    private synchronized SSHClient currentClient() {
        return client;
    }

    /** Runs {@code true} on {@code c} without the transparent reconnect of {@link #exec}. */
    private Outcome probe(SSHClient c, Duration timeout) {
        Session session;
        try {
            session = c.startSession();
        } catch (IOException e) {
            discard(c);
            throw new TestbedException("cannot open a session: " + e.getMessage(), e);
        }
        Session.Command cmd;
        try {
            cmd = session.exec("true");
        } catch (IOException e) {
            closeQuietly(session);
            discard(c);
            throw new TestbedException("cannot start 'true': " + e.getMessage(), e);
        }
        try (SshExecution execution = new SshExecution(session, cmd, null)) {
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
        SSHClient old;
        synchronized (this) {
            old = client;
            client = null;
            sftp = null;
        }
        if (old != null) {
            inBackground(() -> closeQuietly(old));
        }
    }

    @Override
    public void close() {
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

    /** The live connection, connecting (polling up to {@code timeout}) when there is none or it died. */
    private synchronized SSHClient connection(Duration timeout) {
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
    private void discard(SSHClient dead) {
        synchronized (this) {
            if (client == dead) {
                client = null;
                sftp = null;
            }
        }
        closeQuietly(dead);
    }

    private SSHClient connectPolling(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        TestbedException last;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                SSHClient c = connectOnce();
                if (attempts > 1) {
                    LOG.debug("Connected to {} after {} attempts, {} ms", target, attempts,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
                return c;
            } catch (HostKeyMismatchException e) {
                throw e;
            } catch (TestbedException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                throw new TestbedException("Cannot connect to " + target + " within " + timeout.toMillis() + " ms ("
                        + attempts + " attempts): " + last.getMessage(), last);
            }
            pause(deadline);
        }
    }

    /** One connection attempt: TCP connect, key exchange with the pinned host key, public key authentication. */
    private SSHClient connectOnce() {
        SSHClient c = new SSHClient(config);
        PinnedHostKey.Verifier verifier = hostKey.verifier();
        c.addHostKeyVerifier(verifier);
        c.setConnectTimeout(millis(connectTimeout));
        c.setSocketFactory(NoDelaySocketFactory.INSTANCE);
        c.getTransport().setTimeoutMs(millis(handshakeTimeout));
        c.getConnection().setTimeoutMs(millis(requestTimeout));
        try {
            c.connect(host, port);
        } catch (IOException e) {
            closeQuietly(c);
            if (verifier.refused() != null) {
                throw new HostKeyMismatchException(target, hostKey.toString(),
                        KeyType.fromKey(verifier.refused()) + " " + PinnedHostKey.fingerprint(verifier.refused()));
            }
            throw new TestbedException("cannot connect to " + target + ": " + describe(e), e);
        }
        try {
            c.authPublickey(user, keys);
        } catch (UserAuthException e) {
            closeQuietly(c);
            throw new TestbedException("the server at " + target + " refused public key authentication as '" + user
                    + "' with " + privateKey + " (" + e.getMessage() + "); add the line of " + privateKey
                    + ".pub to that user's authorized_keys", e);
        } catch (IOException e) {
            closeQuietly(c);
            throw new TestbedException("authentication on " + target + " failed: " + describe(e), e);
        }
        c.getTransport().setTimeoutMs(millis(requestTimeout));
        return c;
    }

    private void pause(long deadlineNanos) {
        long nanos = Math.min(RETRY_PAUSE.toNanos(), deadlineNanos - System.nanoTime());
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("Interrupted while connecting to " + target, e);
        }
    }

    private KeyProvider loadKeys(Path key) {
        try {
            KeyProvider provider = new SSHClient(config).loadKeys(key.toString());
            provider.getPublic(); // reads and checks the file now rather than at the first connection
            return provider;
        } catch (IOException | RuntimeException e) {
            throw new TestbedException("Cannot load the SSH private key " + key + ": " + e.getMessage()
                    + "; it must be an unencrypted OpenSSH private key such as SshKeys.generate writes", e);
        }
    }

    @Override
    public String toString() {
        return "SshTransport[" + target + ", host key " + hostKey + "]";
    }

    // ---------------------------------------------------------------- helpers

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "none";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static String quote(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("remote path must not contain a NUL character");
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /** Runs {@code task} on an I/O thread, or right here once the transport is closed. */
    private void inBackground(Runnable task) {
        try {
            io.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.trace("close failed", e);
        }
    }

    /** Exit status a shell reports for a process killed by {@code signal}: 128 + its number. */
    static int signalStatus(Signal signal) {
        int number = switch (signal) {
            case HUP -> 1;
            case INT -> 2;
            case QUIT -> 3;
            case ILL -> 4;
            case ABRT -> 6;
            case FPE -> 8;
            case KILL -> 9;
            case USR1 -> 10;
            case SEGV -> 11;
            case USR2 -> 12;
            case PIPE -> 13;
            case ALRM -> 14;
            case TERM -> 15;
            case UNKNOWN -> 0;
        };
        return 128 + number;
    }

    /** One sshj config for all transports: building its algorithm lists is costly, and it is only read. */
    private static final class SharedConfig {
        static final Config INSTANCE = new DefaultConfig();
    }

    /** sshj's local file with its real POSIX mode (sshj's own reports 0644 for every file). */
    private static final class PosixFile extends FileSystemFile {
        private final Path path;

        PosixFile(Path path) {
            super(path.toFile());
            this.path = path;
        }

        static int modeOf(Path path) throws IOException {
            int bits = 0;
            for (PosixFilePermission p : Files.getPosixFilePermissions(path)) {
                bits |= 1 << (8 - p.ordinal());
            }
            return bits;
        }

        @Override
        public int getPermissions() throws IOException {
            try {
                return modeOf(path);
            } catch (UnsupportedOperationException e) {
                return super.getPermissions();
            }
        }

        @Override
        public void setPermissions(int perms) throws IOException {
            Set<PosixFilePermission> permissions = java.util.EnumSet.noneOf(PosixFilePermission.class);
            for (PosixFilePermission p : PosixFilePermission.values()) {
                if ((perms & (1 << (8 - p.ordinal()))) != 0) {
                    permissions.add(p);
                }
            }
            try {
                Files.setPosixFilePermissions(path, permissions);
            } catch (UnsupportedOperationException e) {
                super.setPermissions(perms);
            }
        }
    }

    /** Output kept in memory up to {@link #OUTPUT_LIMIT}; later bytes are dropped (but still read). */
    private static final class CappedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (bytes.size() < OUTPUT_LIMIT) {
                bytes.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = OUTPUT_LIMIT - bytes.size();
            if (room > 0) {
                bytes.write(b, off, Math.min(room, len));
            }
        }

        synchronized byte[] snapshot() {
            return bytes.toByteArray();
        }
    }

    /** A command on a session channel; two pumps read its output streams until end-of-file. */
    private final class SshExecution implements Execution {
        private final Session session;
        private final Session.Command cmd;
        private final OutputStream stdoutSink;
        private final CappedBuffer out = new CappedBuffer();
        private final CappedBuffer err = new CappedBuffer();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final AtomicBoolean closed = new AtomicBoolean();

        SshExecution(Session session, Session.Command cmd, OutputStream stdoutSink) {
            this.session = session;
            this.cmd = cmd;
            this.stdoutSink = stdoutSink;
        }

        void startPumps() {
            try {
                pumpInBackground();
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closeQuietly(session);
                throw new IllegalStateException("The SSH transport to " + target + " is closed", e);
            }
        }

        private void pumpInBackground() {
            Future<?> errors = io.submit(() -> {
                pump(cmd.getErrorStream(), err);
                return null;
            });
            io.execute(() -> {
                try {
                    pump(cmd.getInputStream(), stdoutSink != null ? stdoutSink : out);
                    errors.get();
                    cmd.join(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    exit.complete(status());
                } catch (Throwable t) {
                    Throwable cause = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
                    exit.completeExceptionally(new TestbedException("The SSH connection to " + target
                            + " broke while a command was running, or its output could not be stored ("
                            + describe(cause) + "); its outcome is unknown. Check whether the machine rebooted or"
                            + " was reverted.", cause));
                } finally {
                    closeQuietly(session);
                }
            });
        }

        private void pump(InputStream in, OutputStream sink) throws IOException {
            byte[] buffer = new byte[32 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sink.write(buffer, 0, n);
            }
        }

        private int status() {
            Integer status = cmd.getExitStatus();
            if (status != null) {
                return status;
            }
            Signal signal = cmd.getExitSignal();
            return signal != null ? signalStatus(signal) : -1;
        }

        OutputStream stdin() {
            return cmd.getOutputStream();
        }

        int await(Duration timeout) throws IOException {
            try {
                return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IOException("remote command did not finish within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            } catch (ExecutionException e) {
                throw new IOException(describe(e.getCause()), e.getCause());
            }
        }

        @Override
        public CompletableFuture<Integer> exitStatus() {
            return exit;
        }

        @Override
        public byte[] stdout() {
            return out.snapshot();
        }

        @Override
        public byte[] stderr() {
            return err.snapshot();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && !exit.isDone()) {
                // Closing waits for the server's answer; do not hold up the caller.
                inBackground(() -> closeQuietly(session));
            }
        }
    }

    /** Builder for {@link SshTransport}; setters validate at once. */
    public static final class Builder {
        private String host;
        private int port = 22;
        private String user;
        private Path privateKey;
        private PinnedHostKey hostKey;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration reconnectTimeout = DEFAULT_RECONNECT_TIMEOUT;
        private boolean sftp = true;

        private Builder() {}

        /** The server's host name or address. */
        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host (" + host + ") must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The server's port (default 22). */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port (" + port + ") must be between 1 and 65535");
            }
            this.port = port;
            return this;
        }

        /** The user to log in as. */
        public Builder user(String user) {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("user (" + user + ") must not be blank");
            }
            this.user = user;
            return this;
        }

        /** The unencrypted OpenSSH private key file, e.g. the prefix key from {@link SshKeys#generate}. */
        public Builder privateKey(Path privateKey) {
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /** The only host key the server may present. */
        public Builder hostKey(PinnedHostKey hostKey) {
            this.hostKey = Objects.requireNonNull(hostKey, "hostKey");
            return this;
        }

        /** The only host key the server may present, as an OpenSSH public key line. */
        public Builder hostKey(String publicKeyLine) {
            return hostKey(PinnedHostKey.parse(publicKeyLine));
        }

        /** TCP connect timeout of each attempt (default 1 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Key exchange and authentication time limit of each attempt (default 5 s). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive("handshakeTimeout", timeout);
            return this;
        }

        /** How long the server may take to answer one request (default 30 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** How long a transparent reconnect keeps trying (default 30 s). */
        public Builder reconnectTimeout(Duration timeout) {
            this.reconnectTimeout = positive("reconnectTimeout", timeout);
            return this;
        }

        /** Whether to copy files over SFTP when the server offers it (default); otherwise always with {@code cat}. */
        public Builder sftp(boolean useSftp) {
            this.sftp = useSftp;
            return this;
        }

        /**
         * Builds the transport; no connection is made until the first call.
         *
         * @throws IllegalStateException naming the missing setting
         * @throws TestbedException when the private key cannot be loaded
         */
        public SshTransport build() {
            for (Object[] required : new Object[][] {{"host", host}, {"user", user}, {"privateKey", privateKey},
                    {"hostKey", hostKey}}) {
                if (required[1] == null) {
                    throw new IllegalStateException("SshTransport." + required[0] + "(…) must be set before build()");
                }
            }
            return new SshTransport(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " (" + value + ") must be positive");
            }
            return value;
        }
    }
}
