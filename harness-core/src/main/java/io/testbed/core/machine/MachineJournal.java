package io.testbed.core.machine;

import io.testbed.core.RunOptions;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.Journal;
import java.time.Duration;
import java.util.List;

/**
 * What one machine does, as {@link CommandEvent}s in its environment's journal, each stamped with the test running
 * when it began. Environment variables go in by name only. Thread-safe.
 */
final class MachineJournal {

    private final Journal journal;
    private final String machine;

    MachineJournal(Journal journal, String machine) {
        this.journal = journal;
        this.machine = machine;
    }

    /** The test that what begins now belongs to (see {@link Journal#currentTest()}). */
    String currentTest() {
        return journal.currentTest();
    }

    /** A command ran to its end; {@code exitCode} only when it {@link CommandEvent.Outcome#EXITED exited}. */
    void commandRan(
            CommandEvent.Purpose purpose,
            String command,
            RunOptions options,
            CommandEvent.Outcome outcome,
            Integer exitCode,
            String error,
            Duration duration,
            String stdout,
            String stderr) {
        String test = journal.currentTest();
        List<String> envNames = List.copyOf(options.env().keySet());
        journal.record((time, env) -> new CommandEvent.CommandRun(
                time,
                env,
                test,
                machine,
                purpose,
                command,
                options.workDir().orElse(null),
                envNames,
                outcome,
                exitCode,
                error,
                duration,
                stdout,
                stderr));
    }

    /** Job {@code id} started ({@code error} null) or could not start. */
    void jobStarted(int id, String command, RunOptions options, Duration duration, String error) {
        String test = journal.currentTest();
        List<String> envNames = List.copyOf(options.env().keySet());
        journal.record((time, env) -> new CommandEvent.JobStarted(
                time, env, test, machine, id, command, options.workDir().orElse(null), envNames, duration, error));
    }

    /** Job {@code id}, started during {@code test}, ended: with {@code exitCode}, or {@code error} when it broke. */
    void jobFinished(
            String test,
            int id,
            String command,
            Integer exitCode,
            String error,
            boolean killed,
            Duration duration,
            String stdout,
            String stderr) {
        CommandEvent.Outcome outcome = error != null ? CommandEvent.Outcome.ERROR : CommandEvent.Outcome.EXITED;
        journal.record((time, env) -> new CommandEvent.JobFinished(
                time, env, test, machine, id, command, outcome, exitCode, error, killed, duration, stdout, stderr));
    }

    void fileCopied(CommandEvent.Direction direction, String source, String target, Duration duration, String error) {
        String test = journal.currentTest();
        journal.record((time, env) ->
                new CommandEvent.FileCopied(time, env, test, machine, direction, source, target, duration, error));
    }

    void portWaited(String address, int port, boolean open, Duration duration) {
        String test = journal.currentTest();
        journal.record(
                (time, env) -> new CommandEvent.PortWaited(time, env, test, machine, address, port, open, duration));
    }

    void settingChanged(String setting, String value, String oldValue) {
        String test = journal.currentTest();
        journal.record(
                (time, env) -> new CommandEvent.SettingChanged(time, env, test, machine, setting, value, oldValue));
    }

    void settingRestored(String setting, String value, String error) {
        String test = journal.currentTest();
        journal.record(
                (time, env) -> new CommandEvent.SettingRestored(time, env, test, machine, setting, value, error));
    }
}
