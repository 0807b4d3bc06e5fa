package io.testbed.bench;

/**
 * A goal from DESIGN.md's "Targets" table: an upper bound on a metric's median or on its ratio to the anchor,
 * judged against the 95 % bootstrap interval of that figure ({@link Bootstrap}), never against the point alone.
 *
 * @param on    what is bounded
 * @param limit the largest value that meets the target
 */
record Target(On on, double limit) {

    /** What a target bounds. */
    enum On {
        /** The metric's median, in the metric's unit. */
        VALUE,
        /** The median of the per-pair ratios metric / anchor. */
        RATIO
    }

    /** The verdicts, from best to worst; {@link #MEASURED} when there is nothing to judge. */
    static final String OK = "ok";

    static final String UNCLEAR = "unclear";
    static final String MISSED = "missed";
    static final String MEASURED = "measured";

    static Target ratioAtMost(double limit) {
        return new Target(On.RATIO, limit);
    }

    static Target valueAtMost(double limit) {
        return new Target(On.VALUE, limit);
    }

    /**
     * The verdict on the interval of the bounded figure: {@code ok} when its upper end meets the limit,
     * {@code missed} when its lower end is above it, {@code unclear} when it straddles the limit, {@code measured}
     * when the figure is missing (a ratio target without an anchor).
     */
    String judge(Bootstrap.Interval value, Bootstrap.Interval ratio) {
        Bootstrap.Interval figure = on == On.VALUE ? value : ratio;
        if (figure == null) {
            return MEASURED;
        }
        if (figure.high() <= limit) {
            return OK;
        }
        return figure.low() > limit ? MISSED : UNCLEAR;
    }

    /**
     * The verdict of several targets: {@code missed} when one is missed, else {@code unclear} when one is unclear,
     * else {@code measured} when one cannot be judged (or there are none), else {@code ok}.
     */
    static String combine(java.util.List<String> verdicts) {
        for (String worst : java.util.List.of(MISSED, UNCLEAR, MEASURED)) {
            if (verdicts.contains(worst)) {
                return worst;
            }
        }
        return verdicts.isEmpty() ? MEASURED : OK;
    }

    /** E.g. {@code ≤ 1.2×} or {@code ≤ 1000 ms}. */
    String describe(String unit) {
        return on == On.RATIO ? "≤ " + Report.number(limit) + "×" : "≤ " + Report.number(limit) + " " + unit;
    }
}
