package io.testbed.reports.internal;

import java.util.Comparator;
import java.util.List;

/**
 * A test class: itself (its result, and what its {@code @BeforeAll}/{@code @AfterAll} methods ran) and its tests,
 * failed ones first.
 */
public record ClassModel(TestModel self, List<TestModel> tests) {

    /** Failed (and unfinished) tests first, then in the order they ran. */
    static final Comparator<TestModel> FAILURES_FIRST = Comparator.comparing(
                    (TestModel t) -> !t.status().isFailure())
            .thenComparing(t -> t.start() == null ? java.time.Instant.MAX : t.start());

    public ClassModel {
        tests = tests.stream().sorted(FAILURES_FIRST).toList();
    }

    /** Whether the class or one of its tests failed. */
    public boolean failed() {
        return self.status().isFailure()
                || tests.stream().anyMatch(t -> t.status().isFailure());
    }
}
