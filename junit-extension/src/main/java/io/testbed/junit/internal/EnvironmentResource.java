package io.testbed.junit.internal;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.internal.support.Failures;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.junit.Keep;
import io.testbed.junit.Revert;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A test class's live environment, held by the extension's {@link StoredEnvironment}, which
 * releases it exactly once.
 *
 * <p>It records test classes and tests into the environment's journal ({@link TestJournal}). Between tests it
 * cleans up per the class's {@link Revert} policy; on failure it attaches logs, the test's commands and collected
 * files; on {@link #release()} it tears down, or keeps the environment per the {@link Keep} policy.
 */
final class EnvironmentResource {

    private final Class<?> testClass;
    private final EnvironmentSpec spec;
    private final EnvironmentHandle handle;
    private final Environment environment;
    private final Revert revert;
    private final Keep keep;
    private final Map<String, List<String>> collect;
    private final PrintStream out;
    private final ProgressPrinter progress;
    private final TestJournal tests;
    private final AtomicBoolean failed = new AtomicBoolean();
    /** Why the machines are not at their baseline (a revert between tests failed), or null when they are. */
    private volatile String notAtBaseline;

    EnvironmentResource(
            Class<?> testClass,
            EnvironmentSpec spec,
            EnvironmentHandle handle,
            Revert revert,
            Keep keep,
            Map<String, List<String>> collect,
            PrintStream out,
            ProgressPrinter progress) {
        this.testClass = testClass;
        this.spec = spec;
        this.handle = handle;
        this.environment = handle.environment();
        this.revert = revert;
        this.keep = keep;
        this.collect = Map.copyOf(collect);
        this.out = out;
        this.progress = progress;
        this.tests = TestJournal.listeningTo(handle.journal());
    }

    /** The environment tests see (and cannot close). */
    Environment environment() {
        return environment;
    }

    Revert revert() {
        return revert;
    }

    Class<?> testClass() {
        return testClass;
    }

    /** Records that a test (or a class) of this environment failed, for {@link Keep#ON_FAILURE}. */
    void markFailed() {
        failed.set(true);
    }

    boolean failed() {
        return failed.get();
    }

    /** A test class (the owner or a {@code @Nested} one) begins. */
    void classStarted(ExtensionContext context) {
        tests.classStarted(context);
    }

    /**
     * A test class (the owner or a {@code @Nested} one) whose {@code @BeforeAll} or {@code @AfterAll} methods failed:
     * attaches what ran outside its tests and the consoles to it. Before {@link #classFinished}, which forgets them.
     */
    void classFailed(ExtensionContext context) {
        markFailed();
        FailureArtifacts.publishClassFailure(
                context, environment.prefixDir(), tests.commandsOf(context.getUniqueId()), out);
    }

    /** A test class ended. */
    void classFinished(ExtensionContext context) {
        tests.classFinished(context);
    }

    /** Before each test (and its {@code @BeforeEach} methods): its commands belong to it from now on. */
    void beforeTest(ExtensionContext context) {
        tests.testStarted(context);
        String why = notAtBaseline;
        if (why != null) {
            // the revert after an earlier test failed: try once more, and never let a test run on what it left
            try {
                environment.revert(Environment.BASELINE);
                notAtBaseline = null;
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "Testbed environment '" + spec.name() + "' is not at its " + Environment.BASELINE + ": " + why
                                + "; reverting again before this test failed too (" + e.getMessage() + "), so this"
                                + " test would see what the earlier test left and does not run",
                        e);
            }
        }
    }

    /** A disabled test of this environment. */
    void testSkipped(ExtensionContext context, Optional<String> reason) {
        tests.testSkipped(context, reason);
    }

    /**
     * After each test: journals its end, attaches failure artifacts when it failed, kills the background jobs it
     * left, restores the settings it changed and, with {@link Revert#AFTER_EACH_TEST}, reverts to the baseline.
     */
    void afterTest(ExtensionContext context) {
        List<CommandEvent> ran = tests.testFinished(context);
        Throwable failure = context.getExecutionException()
                .filter(e -> !(e instanceof TestAbortedException))
                .orElse(null);
        if (failure != null) {
            markFailed();
            FailureArtifacts.publish(context, environment.prefixDir(), collects(), ran, out);
        }
        String commands = count(ran);
        long start = System.nanoTime();
        boolean reverting = revert == Revert.AFTER_EACH_TEST;
        boolean cleaned = false;
        try {
            clean(reverting);
            cleaned = true;
        } finally {
            tests.testDone(context);
            reportTest(context, failure != null, commands, reverting, cleaned, System.nanoTime() - start);
        }
    }

    /** The progress line of a finished test: {@code webReachesDb(): 3 commands; reverted to baseline in 0.7 s}. */
    private void reportTest(
            ExtensionContext context,
            boolean failed,
            String commands,
            boolean reverting,
            boolean cleaned,
            long cleanNanos) {
        if (!progress.enabled()) {
            return;
        }
        String test =
                context.getTestMethod().map(method -> method.getName() + "()").orElse(context.getDisplayName());
        String cleanup = ProgressPrinter.duration(cleanNanos / 1_000_000);
        String after = !cleaned
                ? "cleaning up after it failed after " + cleanup
                : reverting ? "reverted to " + Environment.BASELINE + " in " + cleanup : "";
        String facts = String.join(
                "; ",
                java.util.stream.Stream.of(commands, after)
                        .filter(s -> !s.isEmpty())
                        .toList());
        progress.print(test + (failed ? " failed" : "") + (facts.isEmpty() ? "" : ": " + facts));
    }

    /**
     * "3 commands": what the test did on its machines — commands, settings, jobs started, copies and port waits, not
     * the harness's helpers (kills, restores) — counted in the journal.
     */
    private static String count(List<CommandEvent> ran) {
        long count = ran.stream()
                .filter(event -> event instanceof CommandEvent.CommandRun run
                        ? run.purpose() == CommandEvent.Purpose.RUN || run.purpose() == CommandEvent.Purpose.SET
                        : !(event instanceof CommandEvent.JobFinished)
                                && !(event instanceof CommandEvent.SettingChanged)
                                && !(event instanceof CommandEvent.SettingRestored))
                .count();
        return count == 0 ? "" : count == 1 ? "1 command" : count + " commands";
    }

    /** After a {@code @Nested} class: cleans up and, with {@link Revert#AFTER_EACH_CLASS}, reverts. */
    void afterNestedClass() {
        clean(revert == Revert.AFTER_EACH_CLASS);
    }

    private void clean(boolean revertToBaseline) {
        RuntimeException failure = null;
        try {
            handle.resetMachines();
        } catch (RuntimeException e) {
            failure = e;
        }
        if (revertToBaseline) {
            try {
                environment.revert(Environment.BASELINE);
            } catch (RuntimeException e) {
                notAtBaseline = "the revert to " + Environment.BASELINE + " after the previous test failed ("
                        + e.getMessage() + ")";
                failure = Failures.add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private List<FailureArtifacts.Collect> collects() {
        List<FailureArtifacts.Collect> collects = new ArrayList<>();
        for (Machine machine : environment.machines()) {
            List<String> paths = collect.getOrDefault(machine.name(), List.of());
            if (!paths.isEmpty()) {
                collects.add(new FailureArtifacts.Collect(machine, paths));
            }
        }
        return collects;
    }

    /** Whether {@link #release()} keeps the environment rather than tearing it down. */
    boolean keeps() {
        return keep == Keep.ALWAYS || (keep == Keep.ON_FAILURE && failed.get());
    }

    /**
     * Tears the environment down, or keeps it per the {@link Keep} policy: then writes the
     * {@value Prefix#KEPT_MARKER} marker into the prefix so the reaper leaves it alone and prints how to reach each
     * machine. Called once, by {@link StoredEnvironment#close()}.
     */
    void release() {
        if (keeps()) {
            keepRunning();
        } else {
            handle.close();
        }
    }

    private void keepRunning() {
        Path prefix = environment.prefixDir();
        Path marker = prefix.resolve(Prefix.KEPT_MARKER);
        String reason = keep == Keep.ALWAYS ? "keep = ALWAYS" : "a test failed and keep = ON_FAILURE";
        try {
            Files.writeString(
                    marker,
                    "Kept by " + testClass.getName() + " (" + reason + ") at " + Instant.now()
                            + ", pid " + ProcessHandle.current().pid() + System.lineSeparator()
                            + "Delete this file to let the Testbed reaper destroy the environment."
                            + System.lineSeparator(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot write " + marker + "; the environment is kept running but the " + "reaper may destroy it: "
                            + e,
                    e);
        }
        handle.journal().record((time, env) -> new EnvironmentEvent.Kept(time, env, reason));
        say("kept running (" + reason + "); prefix " + prefix);
        Path key = prefix.resolve("keys").resolve("id_ed25519");
        for (Machine machine : environment.machines()) {
            say("  " + machine.name() + ": " + access(machine, key));
        }
        say("delete " + marker + " to let the reaper destroy it");
    }

    private void say(String line) {
        out.println("[testbed] " + environment.name() + ": " + line);
    }

    private String access(Machine machine, Path key) {
        MachineSpec declared = spec.machine(machine.name());
        if (declared.networks().isEmpty()) {
            return "no network declared; reach it through its provider (" + declared.provider() + ")";
        }
        String network = declared.networks().get(0);
        try {
            return "ssh -i " + key + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@"
                    + machine.address(network).getHostAddress() + "   (network " + network + ")";
        } catch (RuntimeException e) {
            return "address on " + network + " unknown: " + e.getMessage();
        }
    }

    @Override
    public String toString() {
        return environment.toString();
    }
}
