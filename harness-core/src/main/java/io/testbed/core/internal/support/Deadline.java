package io.testbed.core.internal.support;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apiguardian.api.API;

/**
 * A point in time on the monotonic clock ({@link System#nanoTime()}) for loops that retry until something works
 * or time runs out: {@code while (…) { if (deadline.expired()) fail; deadline.pause(interval); }}. Immune to wall
 * clock steps; never overflows for timeouts below 292 years. Immutable.
 */
@API(status = API.Status.INTERNAL)
public final class Deadline {

    private final LongSupplier clock;
    private final long startNanos;
    private final long endNanos;

    private Deadline(LongSupplier clock, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must not be negative");
        }
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.endNanos = startNanos + timeout.toNanos();
    }

    /** The deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return new Deadline(System::nanoTime, timeout);
    }

    /** The deadline {@code timeout} from now on {@code nanoClock}, for tests that move time themselves. */
    static Deadline after(Duration timeout, LongSupplier nanoClock) {
        return new Deadline(nanoClock, timeout);
    }

    /** Whether the deadline has passed. */
    public boolean expired() {
        return clock.getAsLong() - endNanos >= 0;
    }

    /** The time left, zero once expired. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - clock.getAsLong()));
    }

    /** The time left, at least {@code floor}: for a last attempt that needs some time even after the deadline. */
    public Duration remainingAtLeast(Duration floor) {
        Duration remaining = remaining();
        return remaining.compareTo(floor) < 0 ? floor : remaining;
    }

    /** The time left, at most {@code cap} and at least one millisecond: a per-attempt timeout. */
    public Duration attemptTimeout(Duration cap) {
        Duration remaining = remaining();
        Duration capped = remaining.compareTo(cap) > 0 ? cap : remaining;
        return capped.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : capped;
    }

    /** The time since this deadline was set. */
    public Duration elapsed() {
        return Duration.ofNanos(clock.getAsLong() - startNanos);
    }

    /**
     * Sleeps {@code pause}, or less when the deadline comes sooner; returns at once once it has passed.
     *
     * @throws InterruptedException when interrupted while sleeping (the interrupt flag is cleared, as by
     *                              {@link Thread#sleep})
     */
    public void pause(Duration pause) throws InterruptedException {
        long nanos = Math.min(pause.toNanos(), endNanos - clock.getAsLong());
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    }
}
