package io.testbed.core.machine;

import io.testbed.core.TestbedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * The command log of an environment ({@code <prefix>/logs/commands.log}): one line per command run, job,
 * file copy or setting change on any machine, with its outcome and duration, e.g.
 * <pre>
 * 2025-01-31T10:15:02.481Z web run exit=0 3ms cwd=/srv env=[TOKEN] cmd=curl -s localhost:8080
 * </pre>
 * Environment variables appear by name only, never with their values (they may be secrets); standard input and
 * file contents are never logged. Newlines inside a command are written as {@code \n}, so one line is one entry.
 *
 * <p>One instance per environment, shared by its machines; thread-safe. Each entry is one {@code O_APPEND} write,
 * so entries from several JVMs do not interleave either. A failure to write is reported once on standard error
 * and never fails a test.
 */
@API(status = API.Status.INTERNAL)
public final class CommandLog {

    private static final CommandLog DISABLED = new CommandLog(null, Clock.systemUTC());

    private final Path file;
    private final Clock clock;
    private volatile boolean failureReported;

    private CommandLog(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /**
     * A log appending to {@code file}, created with its parent directories if missing.
     *
     * @throws TestbedException when the file cannot be created
     */
    public static CommandLog appendingTo(Path file) {
        return appendingTo(file, Clock.systemUTC());
    }

    static CommandLog appendingTo(Path file, Clock clock) {
        Objects.requireNonNull(file, "file");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // several machines share one log and are created in parallel: create-if-missing must not race
            Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
                    .close();
        } catch (IOException e) {
            throw new TestbedException("Cannot create command log " + file + ": " + e
                    + "; check that the prefix's logs directory is writable", e);
        }
        return new CommandLog(file, clock);
    }

    /** A log that records nothing, for machines used outside an environment. */
    public static CommandLog disabled() {
        return DISABLED;
    }

    /** The file written, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Appends one entry.
     *
     * @param machine  the machine's name
     * @param kind     what happened: {@code run}, {@code job#3 start}, {@code upload}, …
     * @param outcome  {@code exit=0}, {@code timeout}, {@code error: …}
     * @param duration how long it took
     * @param workDir  the working directory, if one was given
     * @param envNames names of the environment variables given (values are never logged)
     * @param command  the command line or a description of the action
     */
    public void record(String machine, String kind, String outcome, Duration duration, Optional<String> workDir,
            Collection<String> envNames, String command) {
        if (file == null) {
            return;
        }
        String line = format(clock, machine, kind, outcome, duration, workDir, envNames, command);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            if (!failureReported) {
                failureReported = true;
                System.err.println("Testbed: cannot append to command log " + file + ": " + e);
            }
        }
    }

    static String format(Clock clock, String machine, String kind, String outcome, Duration duration,
            Optional<String> workDir, Collection<String> envNames, String command) {
        StringBuilder line = new StringBuilder(96 + command.length());
        line.append(clock.instant()).append(' ').append(machine).append(' ').append(kind).append(' ')
                .append(escape(outcome)).append(' ').append(duration.toMillis()).append("ms");
        workDir.ifPresent(dir -> line.append(" cwd=").append(escape(dir)));
        if (!envNames.isEmpty()) {
            line.append(" env=").append(envNames.stream().sorted().toList().toString().replace(" ", ""));
        }
        line.append(" cmd=").append(escape(command)).append('\n');
        return line.toString();
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
