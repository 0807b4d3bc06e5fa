package io.testbed.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One line of the results: every sample of a metric and of its anchor (what Testbed is compared with, measured in
 * the same run, alternating with it), the per-pair ratios, medians with their 95 % bootstrap intervals, and the
 * verdict on the DESIGN.md target. Written to {@code bench-results.json} as is.
 *
 * @param metric        the metric's name, e.g. {@code vm.revert.two_vms}
 * @param unit          the unit of the values and of the anchor's values
 * @param value         the median; null when the metric was skipped or failed
 * @param valueLow      the lower end of the median's 95 % bootstrap interval
 * @param valueHigh     its upper end
 * @param min           the smallest sample
 * @param max           the largest sample
 * @param runs          how many measured samples (warm-up excluded)
 * @param anchor        what the metric is compared with, and how that is configured; null when nothing
 * @param anchorValue   the anchor's median
 * @param ratio         the median of the per-pair ratios {@code sample / anchor sample}; null without an anchor
 * @param ratioLow      the lower end of that median's 95 % bootstrap interval
 * @param ratioHigh     its upper end
 * @param target        the target, e.g. {@code ≤ 1.2×; ≤ 1000 ms}; null when DESIGN.md sets none
 * @param status        {@code ok} (every target met by the interval's upper end), {@code unclear} (an interval
 *                      straddles a limit), {@code missed} (an interval lies above a limit), {@code measured} (no
 *                      target, or a ratio target without an anchor), {@code skipped} or {@code failed}
 * @param reason        why the metric was skipped or failed
 * @param note          how it was measured, in a sentence
 * @param samples       every measured sample, in order
 * @param anchorSamples every measured sample of the anchor, in order: pair {@code i} is {@code samples[i]} with
 *                      {@code anchorSamples[i]}; one value when the anchor is a constant (guest memory)
 * @param pairRatios    {@code samples[i] / anchorSamples[i]}, in order
 * @param breakdown     medians of the parts the metric's time is made of (journal phases, guest boot, SSH)
 * @param busyStarts    how often the quiet-host gate gave up (and the bench measured anyway) during the metric's
 *                      group, warm-up included; null when not counted
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
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
    "target",
    "status",
    "reason",
    "note",
    "samples",
    "anchorSamples",
    "pairRatios",
    "breakdown",
    "busyStarts"
})
record Metric(
        String metric,
        String unit,
        Double value,
        Double valueLow,
        Double valueHigh,
        Double min,
        Double max,
        int runs,
        String anchor,
        Double anchorValue,
        Double ratio,
        Double ratioLow,
        Double ratioHigh,
        String target,
        String status,
        String reason,
        String note,
        List<Double> samples,
        List<Double> anchorSamples,
        List<Double> pairRatios,
        Map<String, Double> breakdown,
        Integer busyStarts) {

    /** This metric with {@code count} as its {@link #busyStarts()}. */
    Metric withBusyStarts(int count) {
        return new Metric(
                metric,
                unit,
                value,
                valueLow,
                valueHigh,
                min,
                max,
                runs,
                anchor,
                anchorValue,
                ratio,
                ratioLow,
                ratioHigh,
                target,
                status,
                reason,
                note,
                samples,
                anchorSamples,
                pairRatios,
                breakdown,
                count);
    }

    static Builder named(String metric, String unit) {
        return new Builder(metric, unit);
    }

    /** A metric that could not be measured on this host, and why. */
    static Metric skipped(String metric, String unit, String anchor, String reason) {
        return empty(metric, unit, anchor, "skipped", reason);
    }

    /** A metric whose measurement failed with {@code error}. */
    static Metric failed(String metric, String unit, String anchor, Throwable error) {
        return empty(metric, unit, anchor, "failed", error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    private static Metric empty(String metric, String unit, String anchor, String status, String reason) {
        return new Metric(
                metric, unit, null, null, null, null, null, 0, anchor, null, null, null, null, null, status, reason,
                null, List.of(), List.of(), List.of(), Map.of(), null);
    }

    /** Collects a metric's figures; {@link #build()} computes medians, intervals, ratios and the verdict. */
    static final class Builder {
        private final String metric;
        private final String unit;
        private Samples samples;
        private String anchor;
        private Samples anchorSamples;
        private final List<Target> targets = new ArrayList<>();
        private String note;
        private final Map<String, Double> breakdown = new LinkedHashMap<>();

        private Builder(String metric, String unit) {
            this.metric = Objects.requireNonNull(metric, "metric");
            this.unit = Objects.requireNonNull(unit, "unit");
        }

        Builder samples(Samples value) {
            this.samples = value;
            return this;
        }

        /**
         * The anchor, paired sample by sample with the metric's samples (same count, taken alternately), or one
         * value when the anchor is a constant.
         */
        Builder anchor(String name, Samples values) {
            this.anchor = name;
            this.anchorSamples = values;
            return this;
        }

        Builder target(Target target) {
            targets.add(target);
            return this;
        }

        Builder note(String text) {
            this.note = text;
            return this;
        }

        /** Adds the median of {@code values} as a part of the breakdown (nothing when there are none). */
        Builder part(String name, Samples values) {
            if (values != null && !values.isEmpty()) {
                breakdown.put(name, values.median());
            }
            return this;
        }

        /** Adds the median of every part of {@code phases}, each name prefixed with {@code prefix}. */
        Builder parts(Phases phases, String prefix) {
            phases.parts().forEach((name, values) -> part(prefix + name, values));
            return this;
        }

        Builder part(String name, double value) {
            breakdown.put(name, value);
            return this;
        }

        /**
         * @throws IllegalStateException when there are no samples, or the anchor's samples cannot be paired with
         *                               them (neither the same count nor one constant)
         */
        Metric build() {
            if (samples == null || samples.isEmpty()) {
                throw new IllegalStateException("metric " + metric + " has no samples");
            }
            Bootstrap.Interval value = Bootstrap.medianInterval(samples.values());
            List<Double> ratios = pairRatios();
            Bootstrap.Interval ratio = ratios.isEmpty() ? null : Bootstrap.medianInterval(ratios);
            List<String> described = new ArrayList<>();
            List<String> verdicts = new ArrayList<>();
            for (Target target : targets) {
                described.add(target.describe(unit));
                verdicts.add(target.judge(value, ratio));
            }
            boolean hasAnchor = anchorSamples != null && !anchorSamples.isEmpty();
            return new Metric(
                    metric,
                    unit,
                    value.median(),
                    value.low(),
                    value.high(),
                    samples.min(),
                    samples.max(),
                    samples.size(),
                    anchor,
                    hasAnchor ? anchorSamples.median() : null,
                    ratio == null ? null : ratio.median(),
                    ratio == null ? null : ratio.low(),
                    ratio == null ? null : ratio.high(),
                    described.isEmpty() ? null : String.join("; ", described),
                    Target.combine(verdicts),
                    null,
                    note,
                    samples.values(),
                    hasAnchor ? anchorSamples.values() : List.of(),
                    ratios,
                    Collections.unmodifiableMap(new LinkedHashMap<>(breakdown)),
                    null);
        }

        private List<Double> pairRatios() {
            if (anchorSamples == null || anchorSamples.isEmpty()) {
                return List.of();
            }
            List<Double> values = samples.values();
            List<Double> anchors = anchorSamples.values();
            if (anchors.size() != 1 && anchors.size() != values.size()) {
                throw new IllegalStateException("metric " + metric + ": " + values.size() + " samples cannot be"
                        + " paired with " + anchors.size() + " anchor samples; measure them alternately, in pairs");
            }
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                double anchorValue = anchors.get(anchors.size() == 1 ? 0 : i);
                if (anchorValue != 0) {
                    ratios.add(values.get(i) / anchorValue);
                }
            }
            return List.copyOf(ratios);
        }
    }
}
