package io.testbed.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A test class run in this JVM through the JUnit Platform Launcher, as Maven and IDEs run it (launcher
 * configuration parameters and session listeners included), with what failed and how many tests started.
 */
final class LauncherRun {

    private final List<Throwable> classFailures = new ArrayList<>();
    private final List<Throwable> testFailures = new ArrayList<>();
    private final AtomicInteger testsStarted = new AtomicInteger();

    private LauncherRun() {}

    /** Runs {@code testClass} with {@code parameters} as configuration parameters. */
    static LauncherRun of(Class<?> testClass, Map<String, String> parameters) {
        return of(List.of(testClass), parameters);
    }

    /** Runs {@code testClasses} in one launcher request (in parallel when {@code parameters} say so). */
    static LauncherRun of(List<Class<?>> testClasses, Map<String, String> parameters) {
        LauncherRun run = new LauncherRun();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(testClasses.stream()
                                        .map(DiscoverySelectors::selectClass)
                                        .toList())
                                .configurationParameters(parameters)
                                .build(),
                        run.listener());
        return run;
    }

    /** The failures of containers (classes, the engine), in order. */
    List<Throwable> classFailures() {
        return List.copyOf(classFailures);
    }

    /** The failures of tests, in order. */
    List<Throwable> testFailures() {
        return List.copyOf(testFailures);
    }

    int testsStarted() {
        return testsStarted.get();
    }

    private TestExecutionListener listener() {
        return new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier identifier) {
                if (identifier.isTest()) {
                    testsStarted.incrementAndGet();
                }
            }

            @Override
            public synchronized void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
                result.getThrowable()
                        .ifPresent(thrown -> (identifier.isTest() ? testFailures : classFailures).add(thrown));
            }
        };
    }
}
