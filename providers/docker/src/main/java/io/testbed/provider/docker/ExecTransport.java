package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecStartCmd;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.CappedOutput;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.spi.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Transport} over the Docker exec API (docker-java, through Testcontainers' client): every command is a
 * fresh exec of {@code sh -c COMMAND} without a terminal, with standard output and standard error demultiplexed and
 * kept apart; files move as tar streams through the archive API ({@link TarCopies}).
 *
 * <p>The container is addressed by <em>name</em>, so the transport keeps working when a revert replaces the
 * container with a new one of the same name.
 *
 * <p>Standard input: docker-java's hijacked exec stream cannot half-close (the daemon never sees end-of-file; see
 * docker-java issues 471, 1552 and 1684), so when there is input the command runs as {@code head -c N | sh -c
 * COMMAND}: the command itself still receives exactly the given bytes and then end-of-file. Without input no stdin is
 * attached at all (end-of-file at once). Images therefore need {@code head} only for commands that get input (the
 * machine layer sends environment values that way).
 *
 * <p>Thread-safe. Nothing here logs command lines, input or file contents.
 */
final class ExecTransport implements Transport {

    /** Bytes of each output stream kept in memory per command; further output is read and dropped. */
    static final int OUTPUT_LIMIT = 64 << 20;
    /** How long the daemon may take to publish an exit code after the output stream ended. */
    private static final Duration EXIT_CODE_PATIENCE = Duration.ofSeconds(5);

    private static final Duration READY_ATTEMPT = Duration.ofSeconds(5);
    private static final Duration READY_POLL = Duration.ofMillis(25);

    private final DockerClient docker;
    private final String container;
    private final String target;
    private final TarCopies copies;
    private final Set<DockerExecution> running = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A transport to the container named {@code container}.
     */
    ExecTransport(DockerClient docker, String container) {
        this.docker = Objects.requireNonNull(docker, "docker");
        this.container = Objects.requireNonNull(container, "container");
        this.target = "container " + container;
        this.copies = new TarCopies(docker, container, target);
    }

    @Override
    public String target() {
        return target;
    }

    // ---------------------------------------------------------------- commands

    @Override
    public Execution exec(String command, byte[] stdin) {
        Objects.requireNonNull(command, "command");
        checkOpen();
        boolean feed = stdin != null && stdin.length > 0;
        List<String> argv = feed
                ? List.of("sh", "-c", "head -c " + stdin.length + " | sh -c \"$0\"", command)
                : List.of("sh", "-c", command);
        String execId = createExec(argv, feed);
        DockerExecution execution = new DockerExecution(execId);
        running.add(execution);
        ExecStartCmd start = docker.execStartCmd(execId);
        if (feed) {
            start.withStdIn(new ByteArrayInputStream(stdin));
        }
        try {
            start.exec(execution.callback);
        } catch (RuntimeException e) {
            execution.close();
            throw new TestbedException(
                    "The Docker connection to " + target + " broke while a command was being"
                            + " started, so it may or may not have run (" + DockerClients.rootMessage(e)
                            + "). Not retried;"
                            + " check the container (was it removed, or reverted meanwhile?).",
                    e);
        }
        return execution;
    }

    /** Creates the exec instance; a connection failure here is retried once (nothing reached the container yet). */
    private String createExec(List<String> argv, boolean attachStdin) {
        for (int attempt = 1; ; attempt++) {
            try {
                return docker.execCreateCmd(container)
                        .withCmd(argv.toArray(String[]::new))
                        .withAttachStdin(attachStdin)
                        .withAttachStdout(true)
                        .withAttachStderr(true)
                        .exec()
                        .getId();
            } catch (NotFoundException e) {
                throw new Hopeless(
                        target + " does not exist (" + DockerClients.dockerMessage(e) + "); it was removed"
                                + " or never created. Look for it with docker ps -a.",
                        e);
            } catch (ConflictException e) {
                throw new TestbedException(
                        target + " does not run commands now: " + DockerClients.dockerMessage(e)
                                + ". Check its state and log (docker ps -a; docker logs " + container + ").",
                        e);
            } catch (DockerException e) {
                throw new TestbedException(
                        "Docker refused to run a command in " + target + ": " + DockerClients.dockerMessage(e), e);
            } catch (RuntimeException e) {
                if (attempt >= 2) {
                    throw new TestbedException(
                            "Cannot run a command in " + target + " even on a second attempt: "
                                    + DockerClients.unanswered(e),
                            e);
                }
            }
        }
    }

    @Override
    public void awaitReady(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkOpen();
        Deadline deadline = Deadline.after(timeout);
        String last = "no attempt finished";
        while (true) {
            try {
                Outcome outcome = run("true", null, deadline.attemptTimeout(READY_ATTEMPT));
                if (!outcome.timedOut() && outcome.exitStatus() == 0) {
                    return;
                }
                last = outcome.timedOut()
                        ? "'true' did not finish in time"
                        : "'true' exited with " + outcome.exitStatus() + ": "
                                + outcome.stderrText().strip();
            } catch (Hopeless e) {
                throw e;
            } catch (TestbedException e) {
                last = e.getMessage();
            }
            if (deadline.expired()) {
                throw new TestbedException(target + " did not run 'true' within " + timeout.toMillis() + " ms; last"
                        + " error: " + last + ". Check that the container runs (docker ps -a) and that its image has"
                        + " /bin/sh.");
            }
            try {
                deadline.pause(READY_POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestbedException("Interrupted while waiting for a container", e);
            }
        }
    }

    @Override
    public void dropConnection() {
        for (DockerExecution execution : List.copyOf(running)) {
            execution.fail(new TestbedException("The command's connection to " + target + " was dropped (the"
                    + " container was reverted or replaced); its outcome is unknown."));
            execution.close();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (DockerExecution execution : List.copyOf(running)) {
                execution.fail(new TestbedException("The transport to " + target + " was closed while a command"
                        + " ran; its outcome is unknown."));
                execution.close();
            }
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The transport to " + target + " is closed (its machine was destroyed)");
        }
    }

    // ---------------------------------------------------------------- files

    @Override
    public void upload(Path local, String remotePath) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remotePath, "remotePath");
        checkOpen();
        copies.upload(local, remotePath);
    }

    @Override
    public void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        checkOpen();
        copies.download(remotePath, local);
    }

    /** A failure that waiting cannot cure (the container does not exist). */
    private static final class Hopeless extends TestbedException {
        private static final long serialVersionUID = 1L;

        Hopeless(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One exec instance: its output arrives on docker-java's stream thread. */
    private final class DockerExecution implements Execution {
        private final String execId;
        private final CappedOutput stdout = new CappedOutput(OUTPUT_LIMIT);
        private final CappedOutput stderr = new CappedOutput(OUTPUT_LIMIT);
        private final CompletableFuture<Integer> status = new CompletableFuture<>();
        private final AtomicBoolean released = new AtomicBoolean();
        final ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                switch (frame.getStreamType()) {
                    case STDERR -> stderr.append(frame.getPayload());
                    case STDOUT, RAW -> stdout.append(frame.getPayload());
                    default -> {}
                }
            }

            @Override
            public void onError(Throwable throwable) {
                fail(new TestbedException(
                        "The Docker connection to " + target + " broke while a command ran ("
                                + DockerClients.rootMessage(throwable) + "); its outcome is unknown.",
                        throwable));
                super.onError(throwable);
            }

            @Override
            public void onComplete() {
                try {
                    finish();
                } finally {
                    super.onComplete();
                }
            }
        };

        DockerExecution(String execId) {
            this.execId = execId;
        }

        /** The output ended: the process exited (or its container went away); fetch its exit code. */
        private void finish() {
            if (status.isDone()) {
                return;
            }
            Deadline deadline = Deadline.after(EXIT_CODE_PATIENCE);
            try {
                while (true) {
                    InspectExecResponse inspect = docker.inspectExecCmd(execId).exec();
                    Long code = inspect.getExitCodeLong();
                    if (code != null && !Boolean.TRUE.equals(inspect.isRunning())) {
                        complete(code.intValue());
                        return;
                    }
                    if (deadline.expired()) {
                        complete(-1);
                        return;
                    }
                    Thread.sleep(5);
                }
            } catch (NotFoundException e) {
                fail(new TestbedException(
                        target + " was removed while a command ran (" + DockerClients.dockerMessage(e)
                                + "); its outcome is unknown.",
                        e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new TestbedException("Interrupted while reading the exit status of a command on " + target, e));
            } catch (RuntimeException e) {
                fail(new TestbedException(
                        "Cannot read the exit status of a command on " + target + ": " + DockerClients.rootMessage(e),
                        e));
            }
        }

        private void complete(int code) {
            running.remove(this);
            status.complete(code);
        }

        void fail(TestbedException e) {
            running.remove(this);
            status.completeExceptionally(e);
        }

        @Override
        public CompletableFuture<Integer> exitStatus() {
            return status;
        }

        @Override
        public byte[] stdout() {
            return stdout.toByteArray();
        }

        @Override
        public byte[] stderr() {
            return stderr.toByteArray();
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                running.remove(this);
                status.completeExceptionally(new TestbedException(
                        "The command on " + target + " was released" + " before it finished; its outcome is unknown."));
                try {
                    callback.close();
                } catch (IOException | RuntimeException ignored) {
                    // releasing the stream; nothing more to do
                }
            }
        }
    }
}
