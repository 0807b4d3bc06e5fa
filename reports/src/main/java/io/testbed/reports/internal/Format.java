package io.testbed.reports.internal;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** How the report and the summary write durations and counts. */
public final class Format {

    private Format() {}

    /** {@code 340 ms}, {@code 7.4 s}, {@code 2 min 5 s}; {@code –} for null. */
    public static String duration(Duration duration) {
        if (duration == null) {
            return "–";
        }
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 120_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return millis / 60_000 + " min " + (millis / 1000) % 60 + " s";
    }

    /** The median of {@code durations}, or null when there are none. */
    public static Duration median(List<Duration> durations) {
        if (durations.isEmpty()) {
            return null;
        }
        List<Duration> sorted = durations.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** The longest of {@code durations}, or null when there are none. */
    public static Duration max(List<Duration> durations) {
        return durations.stream().max(Duration::compareTo).orElse(null);
    }

    /** {@code n} and the noun, plural when {@code n != 1}: {@code 1 test}, {@code 3 tests}. */
    public static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
