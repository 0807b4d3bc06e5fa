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
    void ratioIsValueOverAnchorAndEveryTargetMustHold() {
        Metric met = Metric.named("m", "ms").samples(Samples.of(100, 110, 90)).anchor("a", Samples.of(1000, 900, 1100))
                .target(Target.ratioAtMost(0.15)).target(Target.valueAtMost(1000)).build();
        assertThat(met.value()).isEqualTo(100);
        assertThat(met.anchorValue()).isEqualTo(1000);
        assertThat(met.ratio()).isEqualTo(0.1);
        assertThat(met.targetMet()).isTrue();
        assertThat(met.status()).isEqualTo("ok");
        assertThat(met.target()).isEqualTo("≤ 0.15×; ≤ 1000 ms");

        Metric missed = Metric.named("m", "ms").samples(Samples.of(1200)).anchor("a", Samples.of(10000))
                .target(Target.ratioAtMost(0.15)).target(Target.valueAtMost(1000)).build();
        assertThat(missed.ratio()).isEqualTo(0.12);
        assertThat(missed.targetMet()).isFalse();
        assertThat(missed.status()).isEqualTo("missed");
    }

    @Test
    void withoutAnchorTheRatioIsNullAndARatioTargetCannotBeJudged() {
        Metric metric = Metric.named("m", "ms").samples(Samples.of(3)).target(Target.ratioAtMost(2)).build();
        assertThat(metric.anchor()).isNull();
        assertThat(metric.ratio()).isNull();
        assertThat(metric.targetMet()).isNull();
        assertThat(metric.status()).isEqualTo("ok");
    }

    @Test
    void jsonHasTheAgreedFieldsIncludingNullsForSkippedMetrics(@TempDir Path dir) throws Exception {
        Metric measured = Metric.named("vm.revert.two_vms", "ms").samples(Samples.of(600, 650, 700))
                .anchor("cold", Samples.of(8000)).part("per_machine_revert", Samples.of(500)).build();
        Metric skipped = Metric.skipped("container.ready", "ms", "plain Testcontainers", "no provider");
        HostFacts host = new HostFacts("cpu", 2, 1024, "TCG", "probe", "6.1", "Debian", "17", "qemu 7.2", "9.0.0",
                "20.10", "OpenSSH_9.2", "abc1234");
        Path file = dir.resolve("out/bench-results.json");
        new Report("quick", Instant.parse("2026-01-01T00:00:00Z"), 12.5, Report.loadAverage(0.1, 0.2), Map.of(), host,
                List.of(), List.of(measured, skipped)).write(file);

        JsonNode json = Json.mapper().readTree(file.toFile());
        assertThat(json.path("host").path("accelerator").asText()).isEqualTo("TCG");
        assertThat(json.path("host").path("cores").asInt()).isEqualTo(2);
        JsonNode first = json.path("results").get(0);
        for (String field : List.of("metric", "unit", "value", "min", "max", "runs", "anchor", "anchorValue", "ratio")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        assertThat(first.path("value").asDouble()).isEqualTo(650);
        assertThat(first.path("ratio").asDouble()).isEqualTo(650 / 8000.0);
        assertThat(first.path("breakdown").path("per_machine_revert").asDouble()).isEqualTo(500);
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
        assertThat(full.runs()).isGreaterThanOrEqualTo(5);
        assertThat(Options.parse("--quick", "--only", "cold,revert").groups())
                .containsExactly("cold", "revert");
        assertThatThrownBy(() -> Options.parse("--only", "nope")).hasMessageContaining("unknown group 'nope'")
                .hasMessageContaining("cold, revert");
        assertThatThrownBy(() -> Options.parse("--fast")).hasMessageContaining("unknown argument '--fast'")
                .hasMessageContaining("usage:");
    }
}
