package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void countsDownOnItsClock() {
        AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1_000); // nanoTime may be near overflow
        Deadline deadline = Deadline.after(Duration.ofMillis(500), now::get);
        assertThat(deadline.expired()).isFalse();
        assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(500));
        assertThat(deadline.attemptTimeout(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(500));
        assertThat(deadline.attemptTimeout(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(100));

        now.addAndGet(Duration.ofMillis(499).toNanos());
        assertThat(deadline.expired()).isFalse();
        assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(1));
        assertThat(deadline.elapsed()).isEqualTo(Duration.ofMillis(499));

        now.addAndGet(Duration.ofMillis(2).toNanos());
        assertThat(deadline.expired()).isTrue();
        assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
        assertThat(deadline.remainingAtLeast(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThat(deadline.attemptTimeout(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void pollingStopsAtTheDeadlineAndPausesNoLongerThanWhatIsLeft() throws Exception {
        Deadline deadline = Deadline.after(Duration.ofMillis(300));
        int attempts = 0;
        while (!deadline.expired()) {
            attempts++;
            deadline.pause(Duration.ofMillis(50));
        }
        assertThat(attempts).isBetween(3, 7);
        assertThat(deadline.elapsed()).isBetween(Duration.ofMillis(300), Duration.ofMillis(600));

        long start = System.nanoTime();
        deadline.pause(Duration.ofSeconds(5)); // expired: returns at once
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(100));
    }

    @Test
    void refusesANegativeTimeout() {
        assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout (PT-0.001S) must not be negative");
    }
}
