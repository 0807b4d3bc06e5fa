package io.testbed.reports;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Journal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportMainTest {

    @TempDir
    Path dir;

    private void journal(String prefix, boolean closed) {
        try (Journal journal =
                Journal.open(dir.resolve("prefixes").resolve(prefix).resolve("journal.jsonl"), prefix)) {
            journal.record((t, e) -> new EnvironmentEvent.ProvisioningStarted(t, e, prefix, List.of("m"), List.of()));
            journal.record((t, e) -> new EnvironmentEvent.Ready(t, e, Duration.ofSeconds(1)));
            if (closed) {
                journal.record((t, e) -> new EnvironmentEvent.Closed(
                        t, e, EnvironmentEvent.Outcome.TORN_DOWN, Duration.ofSeconds(1), 0));
            }
        }
    }

    @Test
    void rebuildsTheReportFromADirectoryOfPrefixesAndExitsZeroWhenAllPassed() throws Exception {
        journal("a-00000001", true);
        journal("b-00000002", true);
        Path out = dir.resolve("report");

        int exit = ReportMain.run(new String[] {dir.resolve("prefixes").toString(), out.toString()});

        assertThat(exit).isZero();
        String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
        assertThat(html)
                .contains("data-environment=\"a-00000001\"")
                .contains("data-environment=\"b-00000002\"")
                .contains(">PASSED<");
    }

    @Test
    void exitsOneWhenAJournalIsIncompleteAndTwoWithoutPrefixes() {
        journal("a-00000001", true);
        journal("k-00000003", false);

        assertThat(ReportMain.run(new String[] {
                    dir.resolve("prefixes").toString(), dir.resolve("r").toString()
                }))
                .isEqualTo(1);
        assertThat(ReportMain.run(new String[] {
                    dir.resolve("nothing").toString(), dir.resolve("r").toString()
                }))
                .isEqualTo(2);
        assertThat(ReportMain.run(new String[] {})).isEqualTo(2);
    }

    @Test
    void theSummaryHasABlockPerEnvironment() {
        journal("a-00000001", true);
        journal("k-00000003", false);

        List<String> summary =
                TestbedReport.fromPrefixes(dir.resolve("prefixes")).summary();

        assertThat(summary.get(0)).startsWith("[testbed] report: FAILED: 0 classes, 0 tests; 2 environments");
        assertThat(summary)
                .anyMatch(line ->
                        line.startsWith("[testbed] a-00000001 (") && line.endsWith("torn down, ready after 1.0 s"));
        assertThat(summary)
                .anyMatch(line -> line.startsWith("[testbed] k-00000003 (")
                        && line.endsWith("journal incomplete, ready after 1.0 s"));
        assertThat(summary)
                .filteredOn(line -> line.startsWith("[testbed]   reverts: none"))
                .hasSize(2);
    }
}
