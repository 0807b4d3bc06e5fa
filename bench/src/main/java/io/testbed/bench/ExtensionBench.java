package io.testbed.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.testbed.core.config.TestbedConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@code extension.overhead_per_test}: what the Testbed extension adds to each test when nothing is reverted. Runs of
 * {@value ExtensionFixtures#TESTS_PER_RUN} empty tests go through the JUnit Platform Launcher on a plain class and
 * on a class with a real 1-VM environment, with Testbed's default configuration (progress output on, so the
 * command-log scans after each test are in), alternating launch by launch with the order swapped each round, the
 * JIT warm-up rounds alternating the same way. Each launch of the Testbed class provisions its VM before its run
 * and tears it down after; a run's time goes from its first test's start to its last test's end, so the
 * extension's after-each work (kill jobs, restore settings, the revert policy, progress) is inside it, provisioning
 * and teardown are not. What the tests print goes to {@value #OUTPUT_FILE} beside the jar, for both classes.
 */
final class ExtensionBench {

    /** Where the launched tests' standard output goes, beside the jar. */
    static final String OUTPUT_FILE = "extension-output.log";

    /** Warm-up rounds (each a run of both classes) before the measured ones. */
    static final int WARM_UP_ROUNDS = 2;

    private ExtensionBench() {}

    static Metric run(Bed bed) {
        Samples overhead = new Samples();
        Samples plainPerTest = new Samples();
        Samples testbedPerTest = new Samples();
        for (int round = -WARM_UP_ROUNDS; round < bed.options.runs(); round++) {
            String method = method(Math.floorMod(round, ExtensionFixtures.RUNS));
            double plain;
            double testbed;
            if (Math.floorMod(round, 2) == 0) {
                plain = launch(bed, ExtensionFixtures.PlainJUnit.class, method);
                testbed = launch(bed, ExtensionFixtures.WithTestbed.class, method);
            } else {
                testbed = launch(bed, ExtensionFixtures.WithTestbed.class, method);
                plain = launch(bed, ExtensionFixtures.PlainJUnit.class, method);
            }
            double perTestPlain = plain / ExtensionFixtures.TESTS_PER_RUN;
            double perTestTestbed = testbed / ExtensionFixtures.TESTS_PER_RUN;
            bed.log(
                    "extension: %.4f ms per test with Testbed, %.4f ms plain%s",
                    perTestTestbed, perTestPlain, round < 0 ? " (warm-up)" : "");
            if (round >= 0) {
                plainPerTest.add(perTestPlain);
                testbedPerTest.add(perTestTestbed);
                overhead.add(perTestTestbed - perTestPlain);
            }
        }
        return Metric.named("extension.overhead_per_test", "ms")
                .samples(overhead)
                .target(Target.valueAtMost(1))
                .note("per-test time of " + ExtensionFixtures.TESTS_PER_RUN + " empty @RepeatedTest tests on a class"
                        + " with a real 1-VM environment (@Prefix(revert = NEVER), progress output on, into a file)"
                        + " minus the same"
                        + " on a plain class, pair by pair, alternating; " + WARM_UP_ROUNDS + " warm-up rounds")
                .part("with_testbed_ms_per_test", testbedPerTest)
                .part("plain_junit_ms_per_test", plainPerTest)
                .build();
    }

    private static String method(int run) {
        return String.format("run%02d", run);
    }

    /** Runs one method ({@value ExtensionFixtures#TESTS_PER_RUN} tests) of {@code testClass}; its duration. */
    private static double launch(Bed bed, Class<?> testClass, String method) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(testClass, method))
                .configurationParameter(
                        TestbedConfig.PREFIX_ROOT, bed.prefixRoot().toString())
                .build();
        Timings timings = new Timings(bed);
        Launcher launcher = LauncherFactory.create();
        // what the tests print (Testbed's progress lines) goes to a file, as Surefire's redirectTestOutputToFile does
        PrintStream console = System.out;
        Path output = bed.home.resolve(OUTPUT_FILE);
        try (PrintStream sink =
                new PrintStream(new FileOutputStream(output.toFile(), true), false, StandardCharsets.UTF_8)) {
            System.setOut(sink);
            launcher.execute(request, timings);
        } catch (IOException e) {
            throw new BenchException("Cannot write the tests' output to " + output + ": " + e, e);
        } finally {
            System.setOut(console);
        }
        if (!timings.failures.isEmpty()) {
            throw new BenchException(
                    testClass.getSimpleName() + " did not pass through the launcher: " + timings.failures);
        }
        if (timings.testsPassed != ExtensionFixtures.TESTS_PER_RUN || !timings.runMs.containsKey(method)) {
            throw new BenchException(testClass.getSimpleName() + "." + method + ": " + timings.testsPassed
                    + " tests passed, expected " + ExtensionFixtures.TESTS_PER_RUN);
        }
        return timings.runMs.get(method);
    }

    /** Times each method container (one run) and collects failures; waits for a quiet host before each run. */
    private static final class Timings implements TestExecutionListener {
        private final Bed bed;
        private final Map<String, Long> started = new LinkedHashMap<>();
        private final Map<String, Double> runMs = new LinkedHashMap<>();
        private final List<String> failures = new ArrayList<>();
        private long testsPassed;

        Timings(Bed bed) {
            this.bed = bed;
        }

        @Override
        public void executionStarted(TestIdentifier identifier) {
            if (identifier.isContainer() && identifier.getSource().orElse(null) instanceof MethodSource method) {
                bed.quiet.await();
                started.put(method.getMethodName(), System.nanoTime());
            }
        }

        @Override
        public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
            long now = System.nanoTime();
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                failures.add(identifier.getDisplayName() + ": "
                        + result.getThrowable()
                                .map(Throwable::toString)
                                .orElse(result.getStatus().toString()));
            }
            if (identifier.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                testsPassed++;
            }
            if (identifier.isContainer() && identifier.getSource().orElse(null) instanceof MethodSource method) {
                runMs.put(method.getMethodName(), (now - started.get(method.getMethodName())) / 1e6);
            }
        }
    }
}
