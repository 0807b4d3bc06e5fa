package io.testbed.junit.internal;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.engine.EnvironmentHandle;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A test class's live environment, held by the extension's {@link StoredEnvironment}, which
 * releases it exactly once.
 *
 * <p>Between tests it cleans up per the class's {@link Revert} policy; on failure it attaches logs and collected
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
    private final AtomicBoolean failed = new AtomicBoolean();
    /** Lines of the command log already reported, so each test's line counts only its own commands. */
    private long commandsReported;

    EnvironmentResource(Class<?> testClass, EnvironmentSpec spec, EnvironmentHandle handle, Revert revert, Keep keep,
            Map<String, List<String>> collect, PrintStream out, ProgressPrinter progress) {
        this.testClass = testClass;
        this.spec = spec;
        this.handle = handle;
        this.environment = handle.environment();
        this.revert = revert;
        this.keep = keep;
        this.collect = Map.copyOf(collect);
        this.out = out;
        this.progress = progress;
        this.commandsReported = commandLogLines();
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

    /**
     * After each test: attaches failure artifacts when it failed, kills the background jobs it left, restores the
     * settings it changed and, with {@link Revert#AFTER_EACH_TEST}, reverts to the baseline.
     */
    void afterTest(ExtensionContext context) {
        Throwable failure = context.getExecutionException().filter(e -> !(e instanceof TestAbortedException))
                .orElse(null);
        if (failure != null) {
            markFailed();
            FailureArtifacts.publish(context, environment.prefixDir(), collects(), out);
        }
        String commands = commandsSinceLastReport();
        long start = System.nanoTime();
        boolean reverting = revert == Revert.AFTER_EACH_TEST;
        boolean cleaned = false;
        try {
            clean(reverting);
            cleaned = true;
        } finally {
            reportTest(context, failure != null, commands, reverting, cleaned, System.nanoTime() - start);
            commandsReported = commandLogLines();
        }
    }

    /** The progress line of a finished test: {@code webReachesDb(): 3 commands; reverted to baseline in 0.7 s}. */
    private void reportTest(ExtensionContext context, boolean failed, String commands, boolean reverting,
            boolean cleaned, long cleanNanos) {
        if (!progress.enabled()) {
            return;
        }
        String test = context.getTestMethod().map(method -> method.getName() + "()").orElse(context.getDisplayName());
        String cleanup = ProgressPrinter.duration(cleanNanos / 1_000_000);
        String after = !cleaned ? "cleaning up after it failed after " + cleanup
                : reverting ? "reverted to " + Environment.BASELINE + " in " + cleanup : "";
        String facts = String.join("; ", java.util.stream.Stream.of(commands, after).filter(s -> !s.isEmpty())
                .toList());
        progress.print(test + (failed ? " failed" : "") + (facts.isEmpty() ? "" : ": " + facts));
    }

    /**
     * "3 commands" run since the last report, counted in the environment's command log
     * ({@code <prefix>/logs/commands.log}, one line per command, job, copy or setting); empty without a log.
     */
    private String commandsSinceLastReport() {
        long lines = commandLogLines();
        if (lines < 0) {
            return "";
        }
        long count = Math.max(0, lines - Math.max(0, commandsReported));
        return count == 0 ? "" : count == 1 ? "1 command" : count + " commands";
    }

    /** The command log's line count, or -1 when the environment's machines keep none. */
    private long commandLogLines() {
        Path log = environment.prefixDir().resolve("logs").resolve("commands.log");
        if (!progress.enabled() || !Files.isRegularFile(log)) {
            return -1;
        }
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
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
                failure = add(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
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
            Files.writeString(marker, "Kept by " + testClass.getName() + " (" + reason + ") at " + Instant.now()
                    + ", pid " + ProcessHandle.current().pid() + System.lineSeparator()
                    + "Delete this file to let the Testbed reaper destroy the environment." + System.lineSeparator(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + marker + "; the environment is kept running but the "
                    + "reaper may destroy it: " + e, e);
        }
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
