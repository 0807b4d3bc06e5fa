package io.testbed.core.machine;

import io.testbed.core.TestbedException;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.apiguardian.api.API;

/**
 * The command log of an environment ({@code <prefix>/logs/commands.log}): a text rendering of the journal's
 * {@link CommandEvent}s, one line per command run, job, file copy or port wait on any machine, with its outcome and
 * duration, e.g.
 * <pre>
 * 2025-01-31T10:15:02.481Z web run exit=0 3ms cwd=/srv env=[TOKEN] cmd=curl -s localhost:8080
 * </pre>
 * The journal is the record; this file is for people reading logs. Environment variables appear by name only, never
 * with their values (they may be secrets); standard input and file contents are never logged. Newlines inside a
 * command are written as {@code \n}, so one line is one entry.
 *
 * <p>Registered by the engine as a listener of each environment's journal; thread-safe. Each entry is one
 * {@code O_APPEND} write, so entries from several JVMs do not interleave either. A failure to write is reported once
 * on standard error and never fails a test.
 */
@API(status = API.Status.INTERNAL)
public final class CommandLog implements Consumer<Event> {

    private final Path file;
    private volatile boolean failureReported;

    private CommandLog(Path file) {
        this.file = file;
    }

    /**
     * A log appending to {@code file}, created with its parent directories if missing.
     *
     * @throws TestbedException when the file cannot be created
     */
    public static CommandLog appendingTo(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // several machines share one log and are created in parallel: create-if-missing must not race
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                    .close();
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot create command log " + file + ": " + e
                            + "; check that the prefix's logs directory is writable",
                    e);
        }
        return new CommandLog(file);
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    /** Appends the line of a {@link CommandEvent}; ignores other events. */
    @Override
    public void accept(Event event) {
        String line = render(event);
        if (line == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.APPEND, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
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

    /**
     * The log line of an event (ending in a newline), or null for events the log does not show (everything but
     * commands, jobs, copies and port waits).
     */
    public static String render(Event event) {
        if (event instanceof CommandEvent.CommandRun run) {
            String command = run.purpose() == CommandEvent.Purpose.KILL
                            && run.stdout() != null
                            && !run.stdout().isEmpty()
                    ? run.command() + ": pids " + run.stdout()
                    : run.command();
            return format(
                    run,
                    run.purpose().name().toLowerCase(Locale.ROOT),
                    outcome(run.outcome(), run.exitCode(), run.error()),
                    run.duration(),
                    run.workDir(),
                    run.envNames(),
                    command);
        } else if (event instanceof CommandEvent.JobStarted job) {
            return format(
                    job,
                    "job#" + job.job() + " start",
                    job.error() == null ? "started" : "error: " + job.error(),
                    job.duration(),
                    job.workDir(),
                    job.envNames(),
                    job.command());
        } else if (event instanceof CommandEvent.JobFinished job) {
            return format(
                    job,
                    "job#" + job.job(),
                    outcome(job.outcome(), job.exitCode(), job.error()) + (job.killed() ? " (killed)" : ""),
                    job.duration(),
                    null,
                    List.of(),
                    job.command());
        } else if (event instanceof CommandEvent.FileCopied copy) {
            return format(
                    copy,
                    copy.direction().name().toLowerCase(Locale.ROOT),
                    copy.error() == null ? "ok" : "error: " + copy.error(),
                    copy.duration(),
                    null,
                    List.of(),
                    copy.source() + " -> " + copy.target());
        } else if (event instanceof CommandEvent.PortWaited wait) {
            return format(
                    wait,
                    "waitForPort",
                    wait.open() ? "open" : "timeout",
                    wait.duration(),
                    null,
                    List.of(),
                    wait.address() + ":" + wait.port());
        }
        return null;
    }

    private static String outcome(CommandEvent.Outcome outcome, Integer exitCode, String error) {
        return switch (outcome) {
            case EXITED -> "exit=" + exitCode;
            case TIMED_OUT -> "timeout";
            case INTERRUPTED -> "interrupted";
            case ERROR -> "error: " + error;
        };
    }

    private static String format(
            CommandEvent event,
            String kind,
            String outcome,
            Duration duration,
            String workDir,
            List<String> envNames,
            String command) {
        StringBuilder line = new StringBuilder(96 + command.length());
        line.append(event.time())
                .append(' ')
                .append(event.machine())
                .append(' ')
                .append(kind)
                .append(' ')
                .append(escape(outcome))
                .append(' ')
                .append(duration.toMillis())
                .append("ms");
        if (workDir != null) {
            line.append(" cwd=").append(escape(workDir));
        }
        if (!envNames.isEmpty()) {
            line.append(" env=")
                    .append(envNames.stream().sorted().toList().toString().replace(" ", ""));
        }
        line.append(" cmd=").append(escape(command)).append('\n');
        return line.toString();
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
