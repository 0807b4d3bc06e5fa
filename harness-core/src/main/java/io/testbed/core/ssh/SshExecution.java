package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.CappedOutput;
import io.testbed.core.spi.Transport.Execution;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;

/**
 * A command on an SSH session channel: two pumps on the connection's I/O threads read its standard output and
 * error until end-of-file, then its exit status completes {@link #exitStatus()}. Output is kept in memory up to
 * {@link SshTransport#OUTPUT_LIMIT} per stream ({@link CappedOutput}), or standard output goes to a sink.
 */
final class SshExecution implements Execution {
    private final Session session;
    private final Session.Command cmd;
    private final OutputStream stdoutSink;
    private final ExecutorService io;
    private final String target;
    private final Duration requestTimeout;
    private final CappedOutput out = new CappedOutput(SshTransport.OUTPUT_LIMIT);
    private final CappedOutput err = new CappedOutput(SshTransport.OUTPUT_LIMIT);
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param stdoutSink where standard output goes, or {@code null} to keep it in memory
     */
    SshExecution(
            Session session,
            Session.Command cmd,
            OutputStream stdoutSink,
            ExecutorService io,
            String target,
            Duration requestTimeout) {
        this.session = session;
        this.cmd = cmd;
        this.stdoutSink = stdoutSink;
        this.io = io;
        this.target = target;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Starts reading the command's output.
     *
     * @throws IllegalStateException when the transport is closed (its I/O threads are gone)
     */
    void startPumps() {
        try {
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
                    exit.completeExceptionally(new TestbedException(
                            "The SSH connection to " + target
                                    + " broke while a command was running, or its output could not be stored ("
                                    + SshConnection.describe(cause)
                                    + "); its outcome is unknown. Check whether the machine"
                                    + " rebooted or was reverted.",
                            cause));
                } finally {
                    SshConnection.closeQuietly(session);
                }
            });
        } catch (RejectedExecutionException e) {
            SshConnection.closeQuietly(session);
            throw new IllegalStateException("The SSH transport to " + target + " is closed", e);
        }
    }

    private static void pump(InputStream in, OutputStream sink) throws IOException {
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

    /** The command's standard input; the caller closes it. */
    OutputStream stdin() {
        return cmd.getOutputStream();
    }

    /** Waits for the exit status, as an {@link IOException} for the file copies that use it. */
    int await(Duration timeout) throws IOException {
        try {
            return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("remote command did not finish within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            throw new IOException(SshConnection.describe(e.getCause()), e.getCause());
        }
    }

    @Override
    public CompletableFuture<Integer> exitStatus() {
        return exit;
    }

    @Override
    public byte[] stdout() {
        return out.toByteArray();
    }

    @Override
    public byte[] stderr() {
        return err.toByteArray();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && !exit.isDone()) {
            // Closing waits for the server's answer; do not hold up the caller.
            SshConnection.inBackground(io, () -> SshConnection.closeQuietly(session));
        }
    }
}
