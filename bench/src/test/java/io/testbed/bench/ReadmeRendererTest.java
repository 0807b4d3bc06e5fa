package io.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's results section rendered from a results file written by {@link Report}. */
class ReadmeRendererTest {

    private static final HostFacts HOST = new HostFacts(
            "AMD EPYC",
            2,
            24000,
            "TCG",
            "probe hung",
            "6.18",
            "Debian 12",
            "17",
            "7.2.22",
            "9.0.0",
            "20.10.24",
            "OpenSSH_9.2p1",
            "abc1234");

    private static Path write(Path dir, List<Metric> metrics, List<String> leaks) {
        Path file = dir.resolve("bench-results.json");
        Map<String, Object> gate = Map.of("waitedSeconds", 12.0, "gaveUp", 1, "gates", 30);
        new Report(
                        "quick",
                        Instant.parse("2026-12-07T05:00:00Z"),
                        480,
                        Report.loadAverage(0.5, 0.7),
                        gate,
                        HOST,
                        leaks,
                        metrics)
                .write(file);
        return file;
    }

    private static Metric cold() {
        return Metric.named("vm.cold.first_command", "ms")
                .samples(Samples.of(5000, 5100, 4900))
                .anchor("same QEMU command line", Samples.of(5000, 5000, 5000))
                .target(Target.ratioAtMost(1.2))
                .build();
    }

    private static Metric provision() {
        return Metric.named("vm.provision.one", "ms")
                .samples(Samples.of(5300, 5400))
                .build();
    }

    @Test
    void rendersOneRowPerMetricWithIntervalsAnchorsAndStatus(@TempDir Path dir) {
        Metric cold = cold();
        Metric provision = provision();
        String md = ReadmeRenderer.render(write(dir, List.of(cold, provision), List.of()));

        assertThat(md)
                .startsWith("`--quick` run of 2026-12-07T05:00:00Z, 3 pairs per metric: 2 cores (AMD EPYC),"
                        + " 24000 MiB, accelerator **TCG**");
        assertThat(md).contains("commit `abc1234`").contains("gave up 1 of 30 times");
        assertThat(md).contains("| metric | Testbed median [95 % CI] | anchor median |");
        assertThat(md)
                .contains("| `vm.cold.first_command` | 5000 ms [4900–5100] | 5000 ms | 1× [0.98–1.02] | ≤ 1.2× | ok |");
        assertThat(md).contains("| `vm.provision.one` | 5350 ms [5300–5400] | – | – | – | measured |");
        assertThat(md).contains("- `vm.cold.first_command`: same QEMU command line\n");
        assertThat(md).doesNotContain("Not met").doesNotContain("Left behind");
    }

    @Test
    void listsMissedUnclearFailedMetricsAndLeaks(@TempDir Path dir) {
        Metric unclear = Metric.named("exec.run_true", "ms")
                .samples(Samples.of(100, 110, 120, 130, 140))
                .anchor("raw sshj", Samples.of(100, 100, 100, 100, 100))
                .target(Target.ratioAtMost(1.2))
                .build();
        Metric missed = Metric.named("vm.revert.two_vms", "ms")
                .samples(Samples.of(1500, 1600))
                .anchor("cold", Samples.of(10000, 10000))
                .target(Target.ratioAtMost(0.15))
                .target(Target.valueAtMost(1000))
                .build();
        Metric failed = Metric.failed("container.ready", "ms", "plain Testcontainers", new BenchException("no engine"));
        Metric busy = Metric.named("vm.provision.one", "ms")
                .samples(Samples.of(5300, 5400))
                .build()
                .withBusyStarts(3);
        String md =
                ReadmeRenderer.render(write(dir, List.of(unclear, missed, failed, busy), List.of("cold: link tbb-1")));

        assertThat(md).contains("| `exec.run_true` | 120 ms [").contains("| ≤ 1.2× | **unclear** |");
        assertThat(md).contains("| ≤ 0.15×; ≤ 1000 ms | **missed** |").contains("| **failed** |");
        assertThat(md).contains("Not met, or not shown to be met:");
        assertThat(md).contains("- `exec.run_true` is **unclear**: target ≤ 1.2×, measured 1.2× [");
        assertThat(md)
                .contains("- `vm.revert.two_vms` is **missed**: target ≤ 0.15×; ≤ 1000 ms, measured 0.155× [")
                .contains("; 1550 ms [");
        assertThat(md).contains("- `container.ready` is **failed**: BenchException: no engine");
        assertThat(md).contains("Left behind: [\"cold: link tbb-1\"]");
        assertThat(md).contains("| – | measured (busy host ×3) |");
    }

    @Test
    void comparesFurtherRunsMetricByMetric(@TempDir Path dir) throws Exception {
        Metric cold = cold();
        Metric provision = provision();
        Path full = write(Files.createDirectory(dir.resolve("full")), List.of(cold, provision), List.of());
        Path quick = write(Files.createDirectory(dir.resolve("quick")), List.of(cold), List.of());

        String md = ReadmeRenderer.render(List.of(full, quick));

        assertThat(md).startsWith(ReadmeRenderer.render(full));
        assertThat(md)
                .contains("| metric | `--quick` `abc1234` 2026-12-07T05:00 | `--quick` `abc1234` 2026-12-07T05:00 |")
                .contains("| `vm.cold.first_command` | 1× [0.98–1.02] ok | 1× [0.98–1.02] ok |")
                .contains("| `vm.provision.one` | 5350 ms [5300–5400] measured | – |");
    }

    @Test
    void refusesAFileThatIsNotResults(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("x.json"), "{\"foo\": 1}");
        assertThatThrownBy(() -> ReadmeRenderer.render(file)).hasMessageContaining("no \"results\" array");
        assertThatThrownBy(() -> ReadmeRenderer.render(dir.resolve("missing.json")))
                .hasMessageContaining("Cannot read the results file");
    }
}
