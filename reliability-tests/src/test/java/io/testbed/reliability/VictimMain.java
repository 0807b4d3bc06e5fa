package io.testbed.reliability;

import java.io.PrintWriter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The main class of a forked test JVM ({@link ForkedTestClass}): runs the test class named by the first argument
 * through the JUnit Platform Launcher, as Maven does, and exits 0 only when every test passed. Testbed's
 * configuration arrives as system properties ({@code -Dtestbed.prefix.root=…}).
 */
public final class VictimMain {

    private VictimMain() {}

    public static void main(String[] args) {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(DiscoverySelectors.selectClass(args[0]))
                                .build(),
                        summary);
        PrintWriter out = new PrintWriter(System.out, true);
        summary.getSummary().printTo(out);
        summary.getSummary().printFailuresTo(out, 20);
        System.exit(summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }
}
