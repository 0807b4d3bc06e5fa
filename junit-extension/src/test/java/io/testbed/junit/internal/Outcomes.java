package io.testbed.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.junit.local.LocalRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/** Assertions on fixture runs that explain themselves when they fail. */
final class Outcomes {

    private Outcomes() {}

    /** Every container and test finished successfully, and {@code tests} tests ran. */
    static void assertAllSucceeded(EngineExecutionResults results, int tests) {
        List<String> failures =
                results.allEvents().failed().stream().map(Outcomes::describe).toList();
        assertThat(failures).as("failed containers and tests").isEmpty();
        results.testEvents().assertStatistics(stats -> stats.started(tests).succeeded(tests));
    }

    static String describe(Event event) {
        TestExecutionResult result = event.getRequiredPayload(TestExecutionResult.class);
        return event.getTestDescriptor().getDisplayName() + ": "
                + result.getThrowable().map(t -> t + stackTrace(t)).orElse("no throwable");
    }

    private static String stackTrace(Throwable t) {
        return java.util.Arrays.stream(t.getStackTrace())
                .limit(12)
                .map(e -> "\n    at " + e)
                .collect(Collectors.joining());
    }

    /** Nothing the local provider created is left (processes exit asynchronously, so wait a little). */
    static void assertNothingLeaked() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (!LocalRecorder.live().isEmpty() && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(LocalRecorder.live())
                .as("machines, networks and jobs still alive")
                .isEmpty();
    }

    /** Runs {@code body} with {@code System.out} captured (and still echoed). */
    static <T> Captured<T> capturingOutput(Supplier<T> body) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(
                new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        buffer.write(b);
                        original.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        buffer.write(b, off, len);
                        original.write(b, off, len);
                    }
                },
                true,
                StandardCharsets.UTF_8);
        System.setOut(tee);
        try {
            T value = body.get();
            tee.flush();
            return new Captured<>(value, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    record Captured<T>(T value, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    /**
     * Tears down an environment the extension kept: its handle is gone with the test class, so do what the handle's
     * close would (the engine's package-private teardown), as a later {@code testbed destroy} would.
     */
    static void tearDownKept(Environment kept) {
        try {
            java.lang.reflect.Method tearDown = kept.getClass().getDeclaredMethod("tearDown");
            tearDown.setAccessible(true);
            tearDown.invoke(kept);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot tear down the kept environment " + kept.name(), e);
        }
    }
}
