package io.testbed.core.machine;

import io.testbed.core.ExecResult;
import io.testbed.core.TestbedException;
import io.testbed.core.journal.CommandEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The sysctl and sysfs settings a test changed on one machine: each change reads the old value before it writes
 * the new one, and {@link #restore()} writes them back newest first, so that changing one file twice ends with
 * its original content. Every change and restore is journaled. Thread-safe.
 */
final class MachineSettings {

    /** Runs a harness script on the machine, journaled as {@code purpose} and shown as {@code display}. */
    @FunctionalInterface
    interface Executor {
        ExecResult execute(CommandEvent.Purpose purpose, String display, String script);
    }

    private final String machine;
    private final MachineJournal journal;
    private final Executor executor;
    private final SettingsLedger ledger = new SettingsLedger();

    MachineSettings(String machine, MachineJournal journal, Executor executor) {
        this.machine = machine;
        this.journal = journal;
        this.executor = executor;
    }

    /**
     * Writes {@code value} to {@code path} and records the value it replaced.
     *
     * @throws TestbedException when the file cannot be written (nothing is recorded then)
     */
    void change(String description, String path, String value) {
        Objects.requireNonNull(value, "value of " + description);
        if (value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException(
                    "value for " + description + " (" + ShellScripts.abbreviate(value) + ") must be a single line");
        }
        ExecResult result = executor.execute(
                CommandEvent.Purpose.SET, description + "=" + value, ShellScripts.readThenWriteScript(path, value));
        if (!result.succeeded()) {
            throw new TestbedException("Cannot set " + description + " to '" + value + "' on machine '" + machine
                    + "' (exit " + result.exitCode() + "): " + result.stderr().strip()
                    + ". Check that " + path + " exists there and that the machine's user may write it"
                    + " (usually root).");
        }
        String oldValue = ShellScripts.restorableValue(result.stdout());
        ledger.record(new SettingsLedger.Change(description, path, oldValue));
        journal.settingChanged(description, value, oldValue);
    }

    /**
     * Writes every recorded setting back, newest first, trying all of them.
     *
     * @throws TestbedException naming every setting that could not be restored
     */
    void restore() {
        List<String> failures = new ArrayList<>();
        for (SettingsLedger.Change change : ledger.drainNewestFirst()) {
            try {
                ExecResult result = executor.execute(
                        CommandEvent.Purpose.RESTORE,
                        change.description() + "=" + change.oldValue(),
                        ShellScripts.writeScript(change.path(), change.oldValue()));
                if (!result.succeeded()) {
                    failures.add(change.description() + " back to '" + change.oldValue() + "': exit "
                            + result.exitCode() + ", " + result.stderr().strip());
                }
                journal.settingRestored(
                        change.description(),
                        change.oldValue(),
                        result.succeeded()
                                ? null
                                : "exit " + result.exitCode() + ", "
                                        + result.stderr().strip());
            } catch (TestbedException e) {
                failures.add(change.description() + " back to '" + change.oldValue() + "': " + e.getMessage());
                journal.settingRestored(change.description(), change.oldValue(), e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new TestbedException("Could not restore " + failures.size() + " setting(s) on machine '" + machine
                    + "':\n  " + String.join("\n  ", failures)
                    + "\nThey stay changed until the machine is reverted or recreated.");
        }
    }
}
