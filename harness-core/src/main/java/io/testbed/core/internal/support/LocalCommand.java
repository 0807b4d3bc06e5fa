package io.testbed.core.internal.support;

import io.testbed.core.TestbedException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apiguardian.api.API;

/**
 * One run of a program on the machine that runs the tests (iproute2, nsenter, qemu-img, virsh, docker): arguments
 * as a list, never through a shell; standard input from {@code /dev/null} unless a file is given; a time limit
 * after which the program is killed; output kept in memory up to {@link #OUTPUT_LIMIT} per stream.
 *
 * <p>Hand-written on {@link ProcessBuilder} rather than a library (commons-exec, zt-exec): what Testbed needs is
 * these 200 lines, and neither library removes the two pump threads or the timeout handling they wrap.
 *
 * <p>Only for plumbing whose arguments hold no secrets: command lines appear in error messages. Not thread-safe
 * while being configured; {@link #run()} may be called again for another run of the same command.
 */
@API(status = API.Status.INTERNAL)
public final class LocalCommand {

    /** Bytes of each output stream kept in memory; the rest is dropped with a marker ({@link CappedOutput}). */
    public static final int OUTPUT_LIMIT = 16 << 20;
    /** The time limit unless {@link #timeout} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** How much of standard error a failure message quotes. */
    static final int TAIL_CHARS = 2000;

    /**
     * How a program ended.
     *
     * @param command  the command line
     * @param exitCode its exit status
     * @param stdout   its standard output (empty when redirected to a file); with standard error when merged
     * @param stderr   its standard error
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public Result {
            command = List.copyOf(command);
        }

        /** Whether it exited with status 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** A program that could not start, ran out of time, was interrupted or (with {@link #check}) failed. */
    public static final class FailedException extends TestbedException {
        private static final long serialVersionUID = 1L;
        private final transient Result result;

        FailedException(String message, Result result, Throwable cause) {
            super(message, cause);
            this.result = result;
        }

        /** How it ended, when it did end (a non-zero exit status); empty when it could not start or finish. */
        public java.util.Optional<Result> result() {
            return java.util.Optional.ofNullable(result);
        }
    }

    private final List<String> command;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path directory;
    private Path stdinFile;
    private Path stdoutFile;
    private Consumer<String> stdoutLines;
    private boolean mergeStderr;
    private Duration timeout = DEFAULT_TIMEOUT;
    private String installHint;

    private LocalCommand(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must name a program");
        }
        this.command = List.copyOf(command);
    }

    /** The program {@code command[0]} with its arguments. */
    public static LocalCommand of(String... command) {
        return new LocalCommand(List.of(command));
    }

    /** The program {@code command.get(0)} with its arguments. */
    public static LocalCommand of(List<String> command) {
        return new LocalCommand(command);
    }

    /** The working directory (default: the JVM's). */
    public LocalCommand in(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /** Adds an environment variable to the JVM's environment. */
    public LocalCommand env(String name, String value) {
        environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value of " + name));
        return this;
    }

    /** Reads standard input from {@code file} instead of {@code /dev/null}. */
    public LocalCommand stdinFrom(Path file) {
        this.stdinFile = Objects.requireNonNull(file, "file");
        return this;
    }

    /** Writes standard output to {@code file} instead of memory. */
    public LocalCommand stdoutTo(Path file) {
        this.stdoutFile = Objects.requireNonNull(file, "file");
        return this;
    }

    /** Hands each line of standard output to {@code lines} as it arrives (progress), besides keeping it. */
    public LocalCommand onStdoutLine(Consumer<String> lines) {
        this.stdoutLines = Objects.requireNonNull(lines, "lines");
        return this;
    }

    /** Merges standard error into standard output, in the order written. */
    public LocalCommand mergeStderr() {
        this.mergeStderr = true;
        return this;
    }

    /** The time limit (default {@link #DEFAULT_TIMEOUT}); the program is killed when it runs longer. */
    public LocalCommand timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
        }
        this.timeout = timeout;
        return this;
    }

    /** What to tell the user when the program is missing, e.g. {@code "install qemu-utils"}. */
    public LocalCommand installHint(String hint) {
        this.installHint = Objects.requireNonNull(hint, "hint");
        return this;
    }

    /** The command line as messages show it: {@code `ip link show`}. */
    public String describe() {
        return "`" + String.join(" ", command) + "`";
    }

    /**
     * Runs the program to its end and returns how it ended, whatever its exit status.
     *
     * @throws FailedException when it cannot be started, outlives the timeout (it is killed then) or the wait is
     *                         interrupted (it is killed; the interrupt flag is set again)
     */
    public Result run() {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(mergeStderr);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        builder.redirectInput(
                stdinFile != null
                        ? ProcessBuilder.Redirect.from(stdinFile.toFile())
                        : ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (stdoutFile != null) {
            builder.redirectOutput(stdoutFile.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new FailedException(
                    describe() + " could not be started: " + e.getMessage() + "; "
                            + (installHint != null
                                    ? installHint
                                    : "check that " + command.get(0) + " is installed and on PATH")
                            + ".",
                    null,
                    e);
        }
        CappedOutput stdout = new CappedOutput(OUTPUT_LIMIT);
        CappedOutput stderr = new CappedOutput(OUTPUT_LIMIT);
        Thread outPump = stdoutFile == null ? pump(process.getInputStream(), stdout, stdoutLines) : null;
        Thread errPump = mergeStderr ? null : pump(process.getErrorStream(), stderr, null);
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new FailedException(
                        describe() + " did not finish within "
                                + String.format(Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0) + " s and was killed"
                                + stderrTail(text(stderr)),
                        null,
                        null);
            }
            join(outPump);
            join(errPump);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new FailedException(describe() + " was interrupted and killed", null, e);
        }
        return new Result(command, process.exitValue(), text(stdout), text(stderr));
    }

    /**
     * Runs the program and requires exit status 0.
     *
     * @param what what the program does, for the message: "Cannot {@code what}: `…` exited with 1: …"
     * @throws FailedException as {@link #run()}, and naming the exit status and the end of standard error
     *                         otherwise
     */
    public Result check(String what) {
        Result result = run();
        if (!result.succeeded()) {
            throw new FailedException(
                    "Cannot " + what + ": " + describe() + " exited with " + result.exitCode()
                            + stderrTail(mergeStderr ? result.stdout() : result.stderr()),
                    result,
                    null);
        }
        return result;
    }

    /** The end of {@code text}: at most {@link #TAIL_CHARS} characters, stripped. */
    public static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= TAIL_CHARS ? trimmed : "…" + trimmed.substring(trimmed.length() - TAIL_CHARS);
    }

    private static String stderrTail(String stderr) {
        return stderr.isBlank() ? " and printed nothing on stderr" : "; stderr ends with:\n" + tail(stderr);
    }

    private static Thread pump(InputStream stream, OutputStream sink, Consumer<String> lines) {
        Thread thread = new Thread(
                () -> {
                    try (stream) {
                        if (lines == null) {
                            stream.transferTo(sink);
                            return;
                        }
                        BufferedReader reader =
                                new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                        for (String line; (line = reader.readLine()) != null; ) {
                            sink.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                            lines.accept(line);
                        }
                    } catch (IOException ignored) {
                        // the process died; what was read so far is kept
                    }
                },
                "testbed-local-command-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void join(Thread pump) throws InterruptedException {
        if (pump != null) {
            pump.join();
        }
    }

    private static String text(CappedOutput output) {
        return new String(output.toByteArray(), StandardCharsets.UTF_8);
    }
}
