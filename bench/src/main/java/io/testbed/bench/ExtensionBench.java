package io.testbed.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.testbed.core.config.TestbedConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.MethodSelector;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@code extension.overhead_per_test}: what the Testbed extension adds to each test when nothing is reverted. The
 * same runs of {@value ExtensionFixtures#TESTS_PER_RUN} empty tests go through the JUnit Platform Launcher on a
 * plain class and on a class with a real 1-VM environment (provisioned once before the first run and torn down
 * after the last, neither counted). A run's time goes from its first test's start to its last test's end, so the
 * extension's after-each work (kill jobs, restore settings, the revert policy) is inside it. A launch of the plain
 * class with every run comes first, unmeasured, to warm the JIT up.
 */
final class ExtensionBench {

    private ExtensionBench() {}

    static Metric run(Bed bed) {
        int runs = Math.min(bed.options.runs(), ExtensionFixtures.RUNS - 1);
        // JUnit's own code needs a few thousand tests before the JIT has compiled it: without this warm-up the plain
        // class, measured first, pays for it and the difference comes out negative
        launch(bed, ExtensionFixtures.PlainJUnit.class, ExtensionFixtures.RUNS - 1);
        Map<String, Double> plain = launch(bed, ExtensionFixtures.PlainJUnit.class, runs);
        Map<String, Double> testbed = launch(bed, ExtensionFixtures.WithTestbed.class, runs);
        Samples overhead = new Samples();
        Samples plainPerTest = new Samples();
        Samples testbedPerTest = new Samples();
        for (int i = 1; i <= runs; i++) {
            String method = method(i);
            double perTestPlain = plain.get(method) / ExtensionFixtures.TESTS_PER_RUN;
            double perTestTestbed = testbed.get(method) / ExtensionFixtures.TESTS_PER_RUN;
            plainPerTest.add(perTestPlain);
            testbedPerTest.add(perTestTestbed);
            overhead.add(perTestTestbed - perTestPlain);
        }
        bed.log("extension: %.4f ms per test with Testbed, %.4f ms plain", testbedPerTest.median(),
                plainPerTest.median());
        return Metric.named("extension.overhead_per_test", "ms").samples(overhead)
                .target(Target.valueAtMost(1))
                .note("per-test time of " + ExtensionFixtures.TESTS_PER_RUN + " empty @RepeatedTest tests on a class"
                        + " with a real 1-VM environment (@Prefix(revert = NEVER)) minus the same on a plain class,"
                        + " run by run; provisioning and teardown are outside the runs")
                .part("with_testbed_ms_per_test", testbedPerTest).part("plain_junit_ms_per_test", plainPerTest)
                .build();
    }

    private static String method(int run) {
        return String.format("run%02d", run);
    }

    /** Runs the warm-up and {@code runs} measured runs of {@code testClass}; the duration of each run by method. */
    private static Map<String, Double> launch(Bed bed, Class<?> testClass, int runs) {
        List<MethodSelector> selectors = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            selectors.add(selectMethod(testClass, method(i)));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors)
                .configurationParameter(TestbedConfig.PREFIX_ROOT, bed.prefixRoot().toString())
                .configurationParameter(TestbedConfig.PROGRESS, "false")
                .build();
        Timings timings = new Timings(bed);
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, timings);
        if (!timings.failures.isEmpty()) {
            throw new BenchException(testClass.getSimpleName() + " did not pass through the launcher: "
                    + timings.failures);
        }
        if (timings.testsPassed != (long) (runs + 1) * ExtensionFixtures.TESTS_PER_RUN) {
            throw new BenchException(testClass.getSimpleName() + ": " + timings.testsPassed + " tests passed, expected "
                    + (runs + 1) * ExtensionFixtures.TESTS_PER_RUN);
        }
        bed.log("%s: %s ms per run of %d tests", testClass.getSimpleName(), timings.runMs.values().stream()
                .map(Report::number).toList(), ExtensionFixtures.TESTS_PER_RUN);
        return timings.runMs;
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
                failures.add(identifier.getDisplayName() + ": " + result.getThrowable().map(Throwable::toString)
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
