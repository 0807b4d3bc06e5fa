package io.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.internal.json.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statistics, targets, the command line and the shape of the JSON results: pure logic, no VM. */
class ResultsTest {

    @Test
    void medianOfOddAndEvenCountsAndExtremes() {
        assertThat(Samples.of(5, 1, 3).median()).isEqualTo(3);
        assertThat(Samples.of(4, 1, 3, 2).median()).isEqualTo(2.5);
        assertThat(Samples.of(4, 1, 3, 2).min()).isEqualTo(1);
        assertThat(Samples.of(4, 1, 3, 2).max()).isEqualTo(4);
        assertThat(Samples.of(4, 1, 3).values()).containsExactly(4.0, 1.0, 3.0);
    }

    @Test
    void samplesRejectNonFiniteValuesAndEmptyStatistics() {
        assertThatThrownBy(() -> new Samples().add(Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> new Samples().median()).hasMessageContaining("no samples");
    }

    @Test
    void ratioIsTheMedianOfPerPairRatiosAndEveryTargetMustHoldAtTheIntervalsUpperEnd() {
        Metric met = Metric.named("m", "ms")
                .samples(Samples.of(100, 110, 90, 100, 105))
                .anchor("a", Samples.of(1000, 1000, 1000, 1000, 1050))
                .target(Target.ratioAtMost(0.15))
                .target(Target.valueAtMost(1000))
                .build();
        assertThat(met.value()).isEqualTo(100);
        assertThat(met.anchorValue()).isEqualTo(1000);
        assertThat(met.pairRatios()).containsExactly(0.1, 0.11, 0.09, 0.1, 0.1);
        assertThat(met.ratio()).isEqualTo(0.1);
        assertThat(met.ratioLow()).isLessThanOrEqualTo(0.1);
        assertThat(met.ratioHigh()).isBetween(0.1, 0.11);
        assertThat(met.status()).isEqualTo("ok");
        assertThat(met.target()).isEqualTo("≤ 0.15×; ≤ 1000 ms");
    }

    @Test
    void aTargetInsideTheIntervalIsUnclearAndOneBelowItIsMissed() {
        // ratios 1.0 … 1.4: the median 1.2 meets ≤ 1.2× but the interval reaches above it
        Metric straddles = Metric.named("m", "ms")
                .samples(Samples.of(100, 110, 120, 130, 140))
                .anchor("a", Samples.of(100, 100, 100, 100, 100))
                .target(Target.ratioAtMost(1.2))
                .build();
        assertThat(straddles.ratio()).isEqualTo(1.2);
        assertThat(straddles.ratioLow()).isLessThan(1.2);
        assertThat(straddles.ratioHigh()).isGreaterThan(1.2);
        assertThat(straddles.status()).isEqualTo("unclear");

        Metric missed = Metric.named("m", "ms")
                .samples(Samples.of(150, 160, 170))
                .anchor("a", Samples.of(100, 100, 100))
                .target(Target.ratioAtMost(1.2))
                .build();
        assertThat(missed.ratioLow()).isGreaterThan(1.2);
        assertThat(missed.status()).isEqualTo("missed");

        Metric valueMissedRatioOk = Metric.named("m", "ms")
                .samples(Samples.of(1200, 1300))
                .anchor("a", Samples.of(10000, 10000))
                .target(Target.ratioAtMost(0.15))
                .target(Target.valueAtMost(1000))
                .build();
        assertThat(valueMissedRatioOk.status()).isEqualTo("missed");
    }

    @Test
    void verdictsCombineWorstFirst() {
        assertThat(Target.combine(List.of("ok", "unclear", "missed"))).isEqualTo("missed");
        assertThat(Target.combine(List.of("ok", "unclear", "measured"))).isEqualTo("unclear");
        assertThat(Target.combine(List.of("ok", "measured"))).isEqualTo("measured");
        assertThat(Target.combine(List.of("ok", "ok"))).isEqualTo("ok");
        assertThat(Target.combine(List.of())).isEqualTo("measured");
    }

    @Test
    void withoutAnchorARatioTargetCannotBeJudgedSoTheMetricIsMeasuredNotOk() {
        Metric metric = Metric.named("m", "ms")
                .samples(Samples.of(3))
                .target(Target.ratioAtMost(2))
                .build();
        assertThat(metric.anchor()).isNull();
        assertThat(metric.ratio()).isNull();
        assertThat(metric.status()).isEqualTo("measured");
        assertThat(Metric.named("m", "ms").samples(Samples.of(3)).build().status())
                .isEqualTo("measured");
        assertThat(Metric.named("m", "ms")
                        .samples(Samples.of(3))
                        .anchor("a", Samples.of(6))
                        .build()
                        .status())
                .isEqualTo("measured");
    }

    @Test
    void aConstantAnchorDividesEverySampleAndUnpairedAnchorsAreRefused() {
        Metric constant = Metric.named("m", "MB")
                .samples(Samples.of(60, 70, 80))
                .anchor("memory", Samples.of(100))
                .target(Target.ratioAtMost(0.5))
                .build();
        assertThat(constant.pairRatios()).containsExactly(0.6, 0.7, 0.8);
        assertThat(constant.ratioLow()).isEqualTo(0.6);
        assertThat(constant.status()).isEqualTo("missed");
        assertThatThrownBy(() -> Metric.named("m", "ms")
                        .samples(Samples.of(1, 2, 3))
                        .anchor("a", Samples.of(1, 2))
                        .build())
                .hasMessageContaining("3 samples cannot be paired with 2 anchor samples");
    }

    @Test
    void bootstrapIntervalHoldsTheMedianNarrowsWithAgreeingSamplesAndIsReproducible() {
        List<Double> spread = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
        Bootstrap.Interval wide = Bootstrap.medianInterval(spread);
        assertThat(wide.median()).isEqualTo(5.5);
        assertThat(wide.low()).isLessThan(5.5).isGreaterThanOrEqualTo(1.0);
        assertThat(wide.high()).isGreaterThan(5.5).isLessThanOrEqualTo(10.0);
        assertThat(Bootstrap.medianInterval(spread)).isEqualTo(wide);
        Bootstrap.Interval same = Bootstrap.medianInterval(List.of(4.0, 4.0, 4.0, 4.0));
        assertThat(same).isEqualTo(new Bootstrap.Interval(4.0, 4.0, 4.0));
        Bootstrap.Interval one = Bootstrap.medianInterval(List.of(7.0));
        assertThat(one).isEqualTo(new Bootstrap.Interval(7.0, 7.0, 7.0));
        assertThatThrownBy(() -> Bootstrap.medianInterval(List.of())).hasMessageContaining("at least one value");
    }

    @Test
    void jsonHasTheAgreedFieldsIncludingNullsForSkippedMetrics(@TempDir Path dir) throws Exception {
        Metric measured = Metric.named("vm.revert.two_vms", "ms")
                .samples(Samples.of(600, 650, 700))
                .anchor("cold", Samples.of(8000, 8000, 8000))
                .part("per_machine_revert", Samples.of(500))
                .build();
        Metric skipped = Metric.skipped("container.ready", "ms", "plain Testcontainers", "no provider");
        HostFacts host = new HostFacts(
                "cpu",
                2,
                1024,
                "TCG",
                "probe",
                "6.1",
                "Debian",
                "17",
                "qemu 7.2",
                "9.0.0",
                "20.10",
                "OpenSSH_9.2",
                "abc1234");
        Path file = dir.resolve("out/bench-results.json");
        new Report(
                        "quick",
                        Instant.parse("2026-01-01T00:00:00Z"),
                        12.5,
                        Report.loadAverage(0.1, 0.2),
                        Map.of(),
                        host,
                        List.of(),
                        List.of(measured, skipped))
                .write(file);

        JsonNode json = Json.mapper().readTree(file.toFile());
        assertThat(json.path("host").path("accelerator").asText()).isEqualTo("TCG");
        assertThat(json.path("host").path("cores").asInt()).isEqualTo(2);
        JsonNode first = json.path("results").get(0);
        for (String field : List.of(
                "metric",
                "unit",
                "value",
                "valueLow",
                "valueHigh",
                "min",
                "max",
                "runs",
                "anchor",
                "anchorValue",
                "ratio",
                "ratioLow",
                "ratioHigh",
                "status",
                "samples",
                "anchorSamples",
                "pairRatios")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        assertThat(first.path("value").asDouble()).isEqualTo(650);
        assertThat(first.path("ratio").asDouble()).isEqualTo(650 / 8000.0);
        assertThat(first.path("pairRatios")).hasSize(3);
        assertThat(first.path("status").asText()).isEqualTo("measured");
        assertThat(first.path("breakdown").path("per_machine_revert").asDouble())
                .isEqualTo(500);
        JsonNode second = json.path("results").get(1);
        assertThat(second.path("value").isNull()).isTrue();
        assertThat(second.path("ratio").isNull()).isTrue();
        assertThat(second.path("status").asText()).isEqualTo("skipped");
        assertThat(second.path("reason").asText()).isEqualTo("no provider");
    }

    @Test
    void tableRoundsToThreeSignificantDigits() {
        assertThat(Report.number(7123.4)).isEqualTo("7120");
        assertThat(Report.number(0.65432)).isEqualTo("0.654");
        assertThat(Report.number(1.2)).isEqualTo("1.2");
        assertThat(Report.number(0.0)).isEqualTo("0");
        assertThat(Report.number((Double) null)).isEqualTo("–");
    }

    @Test
    void commandLine() {
        Options quick = Options.parse("--quick");
        assertThat(quick.mode()).isEqualTo("quick");
        assertThat(quick.runs()).isEqualTo(5);
        assertThat(quick.groups()).containsExactlyElementsOf(Options.GROUPS);
        Options full = Options.parse();
        assertThat(full.mode()).isEqualTo("full");
        assertThat(full.runs()).isGreaterThanOrEqualTo(10);
        assertThat(Options.parse("--quick", "--only", "cold,revert").groups()).containsExactly("cold", "revert");
        assertThatThrownBy(() -> Options.parse("--only", "nope"))
                .hasMessageContaining("unknown group 'nope'")
                .hasMessageContaining("cold, warm, revert");
        assertThatThrownBy(() -> Options.parse("--fast"))
                .hasMessageContaining("unknown argument '--fast'")
                .hasMessageContaining("usage:");
        Options few = Options.parse("--pairs", "3", "--only", "cold");
        assertThat(few.runs()).isEqualTo(3);
        assertThat(few.mode()).isEqualTo("pairs-3");
        assertThatThrownBy(() -> Options.parse("--pairs", "1")).hasMessageContaining("at least 2, was '1'");
        assertThat(Options.parse("--render-readme", "r.json", "s.json").renderReadme())
                .containsExactly(Path.of("r.json"), Path.of("s.json"));
    }
}
