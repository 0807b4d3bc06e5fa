package io.testbed.reports.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.TestEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size of the report of a large run: 50 environments with 10,000 commands in all (200 each, over 10 tests), the
 * issue's target for "opens in under 2 s". Prints how long reading the journals and rendering took and how large the
 * page is; asserts no time (the host is shared), only that everything is in it. The page is left in
 * {@code target/testbed-report-perf/index.html} for a browser to open ({@code ReportBrowserIT} times it).
 */
class ReportPerformanceTest {

    static final int ENVIRONMENTS = 50;
    static final int TESTS = 10;
    static final int COMMANDS_PER_TEST = 20;

    @TempDir
    Path root;

    @Test
    void fiftyEnvironmentsWithTenThousandCommandsRender() throws IOException {
        long t0 = System.nanoTime();
        for (int e = 0; e < ENVIRONMENTS; e++) {
            try (JournalFixture fixture = new JournalFixture(root, String.format(Locale.ROOT, "env%02d", e))) {
                fixture.provision();
                for (int t = 0; t < TESTS; t++) {
                    String method = "test" + t;
                    fixture.startTest(method);
                    for (int c = 0; c < COMMANDS_PER_TEST; c++) {
                        fixture.run(
                                c % 2 == 0 ? "web" : "box",
                                "echo step " + c + " && cat /etc/hostname",
                                0,
                                "step " + c + "\n" + "x".repeat(150) + "\n",
                                c % 5 == 0 ? "warning: " + c : "");
                    }
                    fixture.finishTest(
                            method,
                            e == 7 && t == 3 ? TestEvent.Result.FAILED : TestEvent.Result.PASSED,
                            e == 7 && t == 3 ? "expected something else" : null);
                }
                fixture.console("web", "booted\n".repeat(50)).tearDown(e == 7);
            }
        }
        long t1 = System.nanoTime();
        List<EnvironmentModel> environments = new ArrayList<>();
        try (var dirs = Files.list(root)) {
            dirs.sorted().forEach(dir -> environments.add(EnvironmentReader.read(dir)));
        }
        RunModel run = RunModelBuilder.build(environments);
        long t2 = System.nanoTime();
        String html = HtmlReport.render(run, JournalFixture.T0);
        long t3 = System.nanoTime();
        Path out = Path.of("target", "testbed-report-perf", "index.html");
        Files.createDirectories(out.getParent());
        Files.writeString(out, html, StandardCharsets.UTF_8);

        System.out.printf(
                Locale.ROOT,
                "[report performance] %d environments, %d commands: journals written in %d ms, "
                        + "read in %d ms, rendered in %d ms, %.1f MB of HTML (%s)%n",
                ENVIRONMENTS,
                run.environments().stream().mapToInt(EnvironmentModel::commands).sum(),
                (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000,
                (t3 - t2) / 1_000_000,
                html.length() / 1e6,
                out.toAbsolutePath());
        assertThat(run.environments()).hasSize(ENVIRONMENTS);
        assertThat(run.environments().stream()
                        .mapToInt(EnvironmentModel::commands)
                        .sum())
                .isEqualTo(ENVIRONMENTS * TESTS * COMMANDS_PER_TEST);
        assertThat(run.tests()).hasSize(ENVIRONMENTS * TESTS);
        assertThat(run.tests().get(0).status()).isEqualTo(Status.FAILED);
        assertThat(html).contains("data-environment=\"env49\"");
    }
}
