package io.testbed.reports.internal;

import io.testbed.core.journal.TestEvent;

/** How a test or test class ended, as the report shows it; {@link #UNFINISHED} when its journal stops before its end. */
public enum Status {
    FAILED,
    ABORTED,
    UNFINISHED,
    PASSED,
    SKIPPED;

    /** The status of a journaled result. */
    public static Status of(TestEvent.Result result) {
        return switch (result) {
            case PASSED -> PASSED;
            case FAILED -> FAILED;
            case ABORTED -> ABORTED;
            case SKIPPED -> SKIPPED;
        };
    }

    /** Whether it makes the run fail. */
    public boolean isFailure() {
        return this == FAILED || this == UNFINISHED;
    }

    /** Lower case, for CSS classes and text. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
