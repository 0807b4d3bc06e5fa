package io.testbed.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.TestEvent;
import io.testbed.core.prefix.Prefix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs fixture classes through a real launcher, which finds the listener through {@code META-INF/services}.
 */
class TestbedReportListenerTest {

    @TempDir
    Path dir;

    /** A fixture, run only by the tests below: journals an environment the way the engine and extension do. */
    static class OneEnvironment {
        @Test
        void passes(TestInfo info) {
            Path root = Path.of(System.getProperty("fixture.root"));
            Prefix prefix = Prefix.create(root, "fixture");
            try (Journal journal = Journal.open(prefix.journalFile(), "fixture")) {
                journal.record((t, e) -> new EnvironmentEvent.ProvisioningStarted(
                        t, e, prefix.dir().toString(), List.of("m"), List.of()));
                String id = "[engine:junit-jupiter]/[class:" + OneEnvironment.class.getName() + "]/[method:passes("
                        + TestInfo.class.getName() + ")]";
                journal.record((t, e) -> new TestEvent.TestStarted(
                        t, e, OneEnvironment.class.getName(), "passes", "passes(TestInfo)", id));
                journal.record((t, e) -> new TestEvent.TestFinished(
                        t,
                        e,
                        OneEnvironment.class.getName(),
                        "passes",
                        "passes(TestInfo)",
                        id,
                        TestEvent.Result.PASSED,
                        Duration.ofMillis(5),
                        null));
                journal.record((t, e) ->
                        new EnvironmentEvent.Closed(t, e, EnvironmentEvent.Outcome.TORN_DOWN, Duration.ofMillis(1), 0));
            }
        }

        @Test
        void fails() {
            throw new AssertionError("fixture failure <b>bold</b>");
        }
    }

    /** A fixture that uses no environment. */
    static class NoEnvironment {
        @Test
        void passes() {}
    }

    private void run(Class<?> fixture, String... parameters) {
        System.setProperty("fixture.root", dir.resolve("prefixes").toString());
        try {
            LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(fixture))
                    .configurationParameter(
                            TestbedConfig.PREFIX_ROOT, dir.resolve("prefixes").toString())
                    .configurationParameter(
                            TestbedConfig.REPORT_DIR, dir.resolve("report").toString());
            for (int i = 0; i < parameters.length; i += 2) {
                request.configurationParameter(parameters[i], parameters[i + 1]);
            }
            LauncherFactory.create().execute(request.build());
        } finally {
            System.clearProperty("fixture.root");
        }
    }

    @Test
    void writesTheReportOfTheEnvironmentsTheRunProvisionedWithJUnitsResults() throws Exception {
        run(OneEnvironment.class);

        String html = Files.readString(dir.resolve("report/index.html"), StandardCharsets.UTF_8);
        assertThat(html)
                .contains("data-environment=\"fixture\"")
                .contains(">FAILED<")
                .contains("fixture failure &lt;b&gt;bold&lt;/b&gt;");
        assertThat(html.indexOf("fails()")).isLessThan(html.indexOf("passes(TestInfo)"));
        // JUnit passes the class; the report's badge says a test in it failed
        assertThat(html).contains("<span class=\"badge failed\">failed</span> " + OneEnvironment.class.getName());
    }

    @Test
    void writesNothingWhenSwitchedOffOrWhenNoEnvironmentWasUsed() {
        run(OneEnvironment.class, TestbedConfig.REPORT_ENABLED, "false");
        assertThat(dir.resolve("report/index.html")).doesNotExist();

        run(NoEnvironment.class);
        assertThat(dir.resolve("report/index.html")).doesNotExist();
    }

    @Test
    void leavesOutPrefixesOfEarlierRuns() throws Exception {
        run(OneEnvironment.class);
        run(OneEnvironment.class);

        String html = Files.readString(dir.resolve("report/index.html"), StandardCharsets.UTF_8);
        try (var prefixes = Files.list(dir.resolve("prefixes"))) {
            assertThat(prefixes.count()).isEqualTo(2);
        }
        assertThat(html.split("data-environment=\"fixture\"", -1)).hasSize(2);
    }
}
