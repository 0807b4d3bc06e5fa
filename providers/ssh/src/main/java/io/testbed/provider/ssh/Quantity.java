package io.testbed.provider.ssh;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A number, or a size in bytes written with a unit ({@code 4 GiB}, {@code 512 MB}, {@code 10 B}), as inventory
 * properties and requirement values hold them. Base-10 units (KB, MB, GB, TB) and base-2 units (KiB, MiB, GiB, TiB)
 * are spelled exactly so; {@code B} is bytes.
 *
 * @param number the number; for a size, bytes
 * @param unit   the unit it was written with, or null for a plain number
 */
public record Quantity(BigDecimal number, String unit) {

    /** The size units and their factors, in the order messages list them. */
    public static final Map<String, BigDecimal> UNITS = units();
    /** The unit names for messages: {@code B, KB, KiB, …}. */
    public static final String UNIT_LIST = String.join(", ", UNITS.keySet());

    private static final Pattern SHAPE = Pattern.compile("(-?[0-9]+(?:\\.[0-9]+)?)(?:\\s*([A-Za-z]+))?(?:\\s+(.*))?");

    public Quantity {
        Objects.requireNonNull(number, "number");
        if (unit != null && !UNITS.containsKey(unit)) {
            throw new IllegalArgumentException("unknown unit '" + unit + "'; use " + UNIT_LIST);
        }
    }

    /** Whether this is a size (written with a unit). */
    public boolean isSize() {
        return unit != null;
    }

    /** Whether this is a whole, non-negative plain number. */
    public boolean isCount() {
        return unit == null
                && number.signum() >= 0
                && number.stripTrailingZeros().scale() <= 0;
    }

    /** This quantity written in {@code displayUnit} (or as a plain number when null), e.g. {@code 1.5 GiB}. */
    public String format(String displayUnit) {
        if (unit == null || displayUnit == null) {
            return plain(number);
        }
        return plain(number.divide(UNITS.get(displayUnit), 2, RoundingMode.HALF_UP)) + " " + displayUnit;
    }

    @Override
    public String toString() {
        return format(unit);
    }

    /** How a text reads as a quantity: the quantity, or why it is not one. */
    public sealed interface Reading permits Parsed, NotNumber, Problem {}

    /** The text is a quantity. */
    public record Parsed(Quantity quantity) implements Reading {}

    /** The text does not start with a number: it is text. */
    public record NotNumber() implements Reading {}

    /** The text starts with a number but is malformed; {@code problem} says how, for a message. */
    public record Problem(String problem) implements Reading {}

    /** Reads {@code text}: a number optionally followed by a unit, nothing else. */
    public static Reading read(String text) {
        String stripped = text.strip();
        Matcher m = SHAPE.matcher(stripped);
        if (!m.matches()) {
            return new NotNumber();
        }
        String number = m.group(1);
        String unit = m.group(2);
        String rest = m.group(3);
        if (unit != null && !UNITS.containsKey(unit)) {
            return new Problem("unknown unit '" + unit + "'; use " + UNIT_LIST);
        }
        if (rest != null) {
            String read = unit == null ? number : number + " " + unit;
            return new Problem("unexpected '" + rest + "' after '" + read + "'");
        }
        BigDecimal value = new BigDecimal(number);
        return new Parsed(new Quantity(unit == null ? value : value.multiply(UNITS.get(unit)), unit));
    }

    /** The quantity in {@code text}, or empty when it is not exactly one. */
    public static Optional<Quantity> parse(String text) {
        return read(text) instanceof Parsed parsed ? Optional.of(parsed.quantity()) : Optional.empty();
    }

    /** A size of {@code bytes} bytes, displayed in bytes. */
    public static Quantity bytes(long bytes) {
        return new Quantity(BigDecimal.valueOf(bytes), "B");
    }

    private static String plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    private static Map<String, BigDecimal> units() {
        Map<String, BigDecimal> units = new LinkedHashMap<>();
        units.put("B", BigDecimal.ONE);
        String[] decimal = {"KB", "MB", "GB", "TB"};
        String[] binary = {"KiB", "MiB", "GiB", "TiB"};
        for (int i = 0; i < decimal.length; i++) {
            units.put(decimal[i], BigDecimal.TEN.pow(3 * (i + 1)));
            units.put(binary[i], BigDecimal.valueOf(2).pow(10 * (i + 1)));
        }
        return Collections.unmodifiableMap(units);
    }
}
