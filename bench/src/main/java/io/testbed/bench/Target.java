package io.testbed.bench;

/**
 * A goal from DESIGN.md's "Targets" table: an upper bound on a metric's median or on its ratio to the anchor.
 *
 * @param on    what is bounded
 * @param limit the largest value that meets the target
 */
record Target(On on, double limit) {

    /** What a target bounds. */
    enum On {
        /** The metric's median, in the metric's unit. */
        VALUE,
        /** The median divided by the anchor's median. */
        RATIO
    }

    static Target ratioAtMost(double limit) {
        return new Target(On.RATIO, limit);
    }

    static Target valueAtMost(double limit) {
        return new Target(On.VALUE, limit);
    }

    /** Whether the measurement meets it; null when the needed figure is missing. */
    Boolean metBy(Double value, Double ratio) {
        Double figure = on == On.VALUE ? value : ratio;
        return figure == null ? null : figure <= limit;
    }

    /** E.g. {@code ≤ 1.2×} or {@code ≤ 1000 ms}. */
    String describe(String unit) {
        return on == On.RATIO ? "≤ " + Report.number(limit) + "×" : "≤ " + Report.number(limit) + " " + unit;
    }
}
