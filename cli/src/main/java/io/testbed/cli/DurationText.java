package io.testbed.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as people type and read them: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, {@code 1h30m}. */
final class DurationText {

    private static final Pattern PART = Pattern.compile("(\\d+)([smhd])");
    private static final Pattern WHOLE = Pattern.compile("(\\d+[smhd])+");

    private DurationText() {}

    /**
     * Parses {@code 1h30m}-style text (days, hours, minutes, seconds) or an ISO-8601 duration ({@code PT2H}).
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    static Duration parse(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            try {
                return positive(text, Duration.parse(value.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        }
        if (!WHOLE.matcher(value).matches()) {
            throw invalid(text);
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(value);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(
                    switch (part.group(2)) {
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    });
        }
        return positive(text, total);
    }

    private static Duration positive(String text, Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("a duration must be positive, was '" + text + "'");
        }
        return duration;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration; write it as 90s, 30m, 2h, 1d, 1h30m or" + " in ISO-8601 (PT2H)");
    }

    /** An age for a table: {@code 42s}, {@code 7m}, {@code 3h05m}, {@code 2d04h}; {@code ?} when unknown (negative). */
    static String age(long seconds) {
        if (seconds < 0) {
            return "?";
        }
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 24) {
            return String.format(Locale.ROOT, "%dh%02dm", hours, minutes % 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", hours / 24, hours % 24);
    }

    /** Lets picocli convert {@code --older-than} values, with the message above for a bad one. */
    static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
