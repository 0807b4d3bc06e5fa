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
 * One line of the results: a metric's median over its runs, and the same for its anchor (what Testbed is compared
 * with, measured in the same run), their ratio and whether the DESIGN.md target is met. Written to
 * {@code bench-results.json} as is.
 *
 * @param metric        the metric's name, e.g. {@code vm.revert.two_vms}
 * @param unit          the unit of {@code value}, {@code min}, {@code max} and {@code anchorValue}
 * @param value         the median; null when the metric was skipped or failed
 * @param min           the smallest run
 * @param max           the largest run
 * @param runs          how many measured runs (warm-up excluded)
 * @param anchor        what the metric is compared with; null when nothing
 * @param anchorValue   the anchor's median
 * @param ratio         {@code value / anchorValue}; null without an anchor
 * @param target        the target, e.g. {@code ≤ 1.2×; ≤ 1000 ms}; null when DESIGN.md sets none
 * @param targetMet     whether every target is met; null without a target or a value
 * @param status        {@code ok}, {@code missed} (a target is not met), {@code skipped} or {@code failed}
 * @param reason        why the metric was skipped or failed
 * @param note          how it was measured, in a sentence
 * @param samples       every measured run, in order
 * @param anchorSamples every measured run of the anchor, in order
 * @param breakdown     medians of the parts the metric's time is made of (journal phases, guest boot, SSH)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"metric", "unit", "value", "min", "max", "runs", "anchor", "anchorValue", "ratio", "target",
        "targetMet", "status", "reason", "note", "samples", "anchorSamples", "breakdown"})
record Metric(String metric, String unit, Double value, Double min, Double max, int runs, String anchor,
        Double anchorValue, Double ratio, String target, Boolean targetMet, String status, String reason, String note,
        List<Double> samples, List<Double> anchorSamples, Map<String, Double> breakdown) {

    static Builder named(String metric, String unit) {
        return new Builder(metric, unit);
    }

    /** A metric that could not be measured on this host, and why. */
    static Metric skipped(String metric, String unit, String anchor, String reason) {
        return new Metric(metric, unit, null, null, null, 0, anchor, null, null, null, null, "skipped", reason, null,
                List.of(), List.of(), Map.of());
    }

    /** A metric whose measurement failed with {@code error}. */
    static Metric failed(String metric, String unit, String anchor, Throwable error) {
        String reason = error.getClass().getSimpleName() + ": " + error.getMessage();
        return new Metric(metric, unit, null, null, null, 0, anchor, null, null, null, null, "failed", reason, null,
                List.of(), List.of(), Map.of());
    }

    /** Collects a metric's figures; {@link #build()} computes medians, the ratio and the target's verdict. */
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

        Metric build() {
            if (samples == null || samples.isEmpty()) {
                throw new IllegalStateException("metric " + metric + " has no samples");
            }
            double value = samples.median();
            Double anchorValue = anchorSamples == null || anchorSamples.isEmpty() ? null : anchorSamples.median();
            Double ratio = anchorValue == null || anchorValue == 0 ? null : value / anchorValue;
            Boolean met = null;
            List<String> described = new ArrayList<>();
            for (Target target : targets) {
                described.add(target.describe(unit));
                Boolean one = target.metBy(value, ratio);
                if (one != null) {
                    met = met == null ? one : Boolean.valueOf(met && one);
                }
            }
            return new Metric(metric, unit, value, samples.min(), samples.max(), samples.size(), anchor, anchorValue,
                    ratio, described.isEmpty() ? null : String.join("; ", described), met,
                    Boolean.FALSE.equals(met) ? "missed" : "ok", null, note, samples.values(),
                    anchorSamples == null ? List.of() : anchorSamples.values(),
                    Collections.unmodifiableMap(new LinkedHashMap<>(breakdown)));
        }
    }
}
