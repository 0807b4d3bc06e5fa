package io.testbed.images;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of an external program (ProcessBuilder). A failure always produces a {@link TemplateException}
 * naming the command line, the exit code and the tail of its standard error, plus a hint when the
 * program is missing.
 */
final class ExternalCommand {

    /** Which Debian package provides a program we call, for "install X" hints. */
    private static final Map<String, String> PROVIDING_PACKAGE = Map.of(
            "qemu-img", "qemu-utils",
            "qemu-system-x86_64", "qemu-system-x86",
            "genisoimage", "genisoimage",
            "mkfs.ext4", "e2fsprogs",
            "cpio", "cpio",
            "dpkg-deb", "dpkg",
            "apt-get", "apt",
            "apt-cache", "apt");

    private static final int TAIL_CHARS = 2000;

    /** What the program printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {}

    private final List<String> command;
    private Path directory;
    private Path stdinFile;
    private Path stdoutFile;
    private Duration timeout = Duration.ofMinutes(10);
    private Consumer<String> stdoutLines;
    private final Map<String, String> environment = new HashMap<>();

    private ExternalCommand(List<String> command) {
        this.command = List.copyOf(command);
    }

    static ExternalCommand of(String... command) {
        return new ExternalCommand(List.of(command));
    }

    static ExternalCommand of(List<String> command) {
        return new ExternalCommand(command);
    }

    ExternalCommand in(Path directory) {
        this.directory = directory;
        return this;
    }

    ExternalCommand stdinFrom(Path file) {
        this.stdinFile = file;
        return this;
    }

    ExternalCommand stdoutTo(Path file) {
        this.stdoutFile = file;
        return this;
    }

    /** Hands every stdout line to {@code lines} as it arrives (for progress). */
    ExternalCommand streamStdout(Consumer<String> lines) {
        this.stdoutLines = Objects.requireNonNull(lines);
        return this;
    }

    ExternalCommand timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    ExternalCommand env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs the program and fails unless it exits with 0. */
    Result run() {
        Result result = runAllowingFailure();
        if (result.exitCode() != 0) {
            throw new TemplateException(describe() + " failed with exit code " + result.exitCode()
                    + (result.stderr().isBlank() ? " and printed nothing on stderr" : "; stderr ends with:\n"
                    + tail(result.stderr())));
        }
        return result;
    }

    /** Runs the program and returns its result whatever the exit code; fails only when it cannot run. */
    Result runAllowingFailure() {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        if (stdinFile != null) {
            builder.redirectInput(stdinFile.toFile());
        } else {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        if (stdoutFile != null) {
            builder.redirectOutput(stdoutFile.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            String program = Path.of(command.get(0)).getFileName().toString();
            String hint = PROVIDING_PACKAGE.containsKey(program)
                    ? " Install it (Debian package " + PROVIDING_PACKAGE.get(program) + ")."
                    : " Check that it is installed and on PATH.";
            throw new TemplateException(describe() + " could not be started: " + e.getMessage() + "." + hint, e);
        }
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        Thread outReader = stdoutFile == null ? pump(process.getInputStream(), stdout, stdoutLines) : null;
        Thread errReader = pump(process.getErrorStream(), stderr, null);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new TemplateException(describe() + " did not finish within "
                        + String.format(java.util.Locale.ROOT, "%.1f", timeout.toMillis() / 1000.0) + " s and was killed; stderr so far:\n" + tail(stderr.toString()));
            }
            if (outReader != null) {
                outReader.join();
            }
            errReader.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TemplateException(describe() + " was interrupted", e);
        }
        synchronized (stdout) {
            synchronized (stderr) {
                return new Result(process.exitValue(), stdout.toString(), stderr.toString());
            }
        }
    }

    /** The command line as shown in messages. */
    String describe() {
        return "Command `" + String.join(" ", command) + "`";
    }

    static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= TAIL_CHARS ? trimmed : "…" + trimmed.substring(trimmed.length() - TAIL_CHARS);
    }

    private static Thread pump(InputStream stream, StringBuilder sink, Consumer<String> lines) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (sink) {
                        sink.append(line).append('\n');
                    }
                    if (lines != null) {
                        lines.accept(line);
                    }
                }
            } catch (IOException ignored) {
                // the process died; what was read so far is kept
            }
        }, "testbed-command-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    List<String> command() {
        return new ArrayList<>(command);
    }
}
