package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void firstFailureIsKeptAndLaterOnesAreSuppressedInIt() {
        RuntimeException first = new IllegalStateException("first");
        RuntimeException second = new IllegalArgumentException("second");
        RuntimeException failure = Failures.add(null, first);
        failure = Failures.add(failure, second);
        assertThat(failure).isSameAs(first);
        assertThat(failure.getSuppressed()).containsExactly(second);
    }
}
