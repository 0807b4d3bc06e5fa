package io.testbed.reports.internal;

import io.testbed.core.journal.CommandEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A test (or what a test class ran outside its tests, when {@code container}): its result, and from its
 * environment's journal every command, job, copy and setting change in it and the reverts after it.
 *
 * @param uniqueId    JUnit's unique id
 * @param environment the id (prefix directory name) of its environment, or null
 * @param failure     the failure's message, the reason it was skipped, or null
 * @param start       when it began, or null when only JUnit knows it
 * @param files       the files attached to it
 */
public record TestModel(
        String uniqueId,
        String className,
        String method,
        String displayName,
        boolean container,
        Status status,
        Duration duration,
        String failure,
        Instant start,
        String environment,
        List<CommandEvent> commands,
        List<Duration> reverts,
        List<PublishedFile> files) {

    public TestModel {
        commands = List.copyOf(commands);
        reverts = List.copyOf(reverts);
        files = List.copyOf(files);
        duration = duration == null ? Duration.ZERO : duration;
    }

    /** Its anchor in the HTML report. */
    public String anchor() {
        return "t" + Integer.toHexString(uniqueId.hashCode());
    }

    /** How many commands it ran ({@link CommandEvent.CommandRun} of purpose RUN). */
    public long runCount() {
        return commands.stream()
                .filter(c -> c instanceof CommandEvent.CommandRun run && run.purpose() == CommandEvent.Purpose.RUN)
                .count();
    }

    /** The command its failure most likely comes from: its last failed command, else its last command; or null. */
    public CommandEvent failingCommand() {
        CommandEvent last = null;
        for (CommandEvent command : commands) {
            if (command instanceof CommandEvent.CommandRun run && run.purpose() == CommandEvent.Purpose.RUN) {
                boolean failed =
                        run.outcome() != CommandEvent.Outcome.EXITED || run.exitCode() == null || run.exitCode() != 0;
                if (failed || last == null || !isFailed(last)) {
                    last = command;
                }
            }
        }
        return last;
    }

    private static boolean isFailed(CommandEvent command) {
        return command instanceof CommandEvent.CommandRun run
                && (run.outcome() != CommandEvent.Outcome.EXITED || run.exitCode() == null || run.exitCode() != 0);
    }
}
