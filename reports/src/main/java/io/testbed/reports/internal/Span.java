package io.testbed.reports.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * One bar of an environment's timeline: a step on a lane (the environment's own lane, a machine's, or the tests'),
 * from {@code start} to {@code end}.
 *
 * @param lane   {@link #ENVIRONMENT}, {@link #TESTS} or a machine's name
 * @param kind   what it is, for its colour
 * @param label  what the report says about it
 * @param failed whether the step or test failed
 */
public record Span(String lane, Kind kind, String label, Instant start, Instant end, boolean failed) {

    /** The lane of steps of the environment as a whole (leases, networks, teardown). */
    public static final String ENVIRONMENT = "environment";
    /** The lane of the tests. */
    public static final String TESTS = "tests";

    /** What a span shows. */
    public enum Kind {
        LEASE,
        NETWORK,
        PROVIDER,
        CREATE,
        BOOT,
        READY,
        SNAPSHOT,
        TEST,
        REVERT,
        JOB,
        TEARDOWN,
        FAILURE,
        /** How a machine starts: warm or cold (an instant). */
        START,
        /** A warm image built, reused or discarded. */
        WARM,
        /** Link constraints applied or validated. */
        LINK,
        /** A cut, from made to healed. */
        CUT
    }

    public Span {
        Objects.requireNonNull(lane, "lane");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(start, "start");
        end = end == null || end.isBefore(start) ? start : end;
    }
}
