package io.testbed.provider.ssh;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apiguardian.api.API;

/**
 * One condition a host must meet, written {@code <property> <operator> <value>} as tmt's hardware requirements:
 * {@code memory >= 4 GiB}, {@code arch = x86_64}, {@code nics >= 2}, {@code hostname ~ lab-.*},
 * {@code kernel !~ ^4\.}.
 *
 * <ul>
 *   <li>Operators: {@code = != < <= > >=} and {@code ~ !~} (a regular expression <em>search</em>, as grep: anchor
 *       with {@code ^ $} to match the whole value).</li>
 *   <li>Sizes ({@code memory}, {@code disk}) need a unit: {@code B}, {@code KB}/{@code KiB}, {@code MB}/{@code MiB},
 *       {@code GB}/{@code GiB}, {@code TB}/{@code TiB} (KB = 1000 B, KiB = 1024 B). Counts ({@code cpus},
 *       {@code nics}, {@code port}) are whole numbers without unit. Text ({@code hostname}, {@code address},
 *       {@code user}, {@code arch}, {@code kernel}, {@code drivers}) takes {@code = != ~ !~}.</li>
 *   <li>Any other name is a free-form inventory property: ordering operators need a number (or size) on both sides;
 *       {@code =}/{@code !=} compare numerically when both sides are numbers, as text otherwise.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. {@link #parse} rejects a malformed requirement with a message that quotes it and
 * says what is wrong; {@link #check} tells why a host's value fails it.
 */
@API(status = API.Status.INTERNAL)
public final class Requirement {

    private static final Pattern PROPERTY = Pattern.compile("[a-z][a-z0-9_.-]*");
    private static final Pattern OPERATOR_RUN = Pattern.compile("[=!<>~]+|\\S+");

    private final String text;
    private final String property;
    private final Operator operator;
    private final String value;
    private final PropertyKind kind;
    private final Quantity expected;
    private final Pattern pattern;

    private Requirement(
            String text, String property, Operator operator, String value, Quantity expected, Pattern pattern) {
        this.text = text;
        this.property = property;
        this.operator = operator;
        this.value = value;
        this.kind = PropertyKind.of(property);
        this.expected = expected;
        this.pattern = pattern;
    }

    /**
     * Parses one requirement.
     *
     * @throws IllegalArgumentException quoting the requirement and naming the problem: no property, unknown or
     *                                  missing operator, missing value, a unit on a count, a size without unit, an
     *                                  unknown unit, trailing words, an ordering operator on text, a bad regex
     */
    public static Requirement parse(String text) {
        Objects.requireNonNull(text, "text");
        String source = text.strip();
        String quoted = "requirement '" + source + "': ";
        if (source.isEmpty()) {
            throw new IllegalArgumentException(
                    "requirement is empty; write <property> <operator> <value>, " + "e.g. 'memory >= 4 GiB'");
        }
        Matcher name = PROPERTY.matcher(source);
        if (!name.lookingAt()) {
            throw new IllegalArgumentException(quoted + "must start with a property name ([a-z][a-z0-9_.-]*) such as "
                    + "memory, cpus, arch or hostname");
        }
        String property = name.group();
        String rest = source.substring(name.end()).stripLeading();
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(
                    quoted + "missing operator after '" + property + "'; use one of " + Operator.SYMBOLS);
        }
        Matcher run = OPERATOR_RUN.matcher(rest);
        run.lookingAt();
        String symbol = run.group();
        if ("=!<>~".indexOf(symbol.charAt(0)) < 0) {
            throw new IllegalArgumentException(quoted + "missing operator after '" + property + "' (found '" + symbol
                    + "'); use one of " + Operator.SYMBOLS);
        }
        Operator operator = longestOperator(symbol)
                .orElseThrow(() -> new IllegalArgumentException(
                        quoted + "unknown operator '" + symbol + "'; use one of " + Operator.SYMBOLS));
        if (operator.symbol().length() < symbol.length()) {
            throw new IllegalArgumentException(
                    quoted + "unknown operator '" + symbol + "'; use one of " + Operator.SYMBOLS);
        }
        String value = rest.substring(symbol.length()).strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException(quoted + "missing value after '" + operator.symbol() + "'");
        }
        PropertyKind kind = PropertyKind.of(property);
        if (operator.regex()) {
            if (kind == PropertyKind.SIZE || kind == PropertyKind.COUNT) {
                throw new IllegalArgumentException(quoted + property + " is " + kind.description() + "; '"
                        + operator.symbol() + "' searches text, use = != < <= > >=");
            }
            try {
                return new Requirement(source, property, operator, value, null, Pattern.compile(value));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        quoted + "bad regular expression '" + value + "': " + e.getDescription() + " near index "
                                + e.getIndex(),
                        e);
            }
        }
        if (kind == PropertyKind.TEXT) {
            if (operator.ordering()) {
                throw new IllegalArgumentException(
                        quoted + property + " is text; '" + operator.symbol() + "' compares numbers, use = != ~ !~");
            }
            return new Requirement(source, property, operator, value, null, null);
        }
        Quantity.Reading reading = Quantity.read(value);
        if (reading instanceof Quantity.Problem problem) {
            throw new IllegalArgumentException(quoted + problem.problem());
        }
        Quantity expected = reading instanceof Quantity.Parsed parsed ? parsed.quantity() : null;
        switch (kind) {
            case SIZE -> {
                if (expected == null || !expected.isSize()) {
                    throw new IllegalArgumentException(quoted + property + " is a size; give a unit: "
                            + Quantity.UNIT_LIST + " (e.g. '" + property + " " + operator.symbol() + " 4 GiB')");
                }
            }
            case COUNT -> {
                if (expected != null && expected.isSize()) {
                    throw new IllegalArgumentException(
                            quoted + property + " is a count and takes no unit, was '" + expected.unit() + "'");
                }
                if (expected == null || !expected.isCount()) {
                    throw new IllegalArgumentException(
                            quoted + property + " is a count; expected a whole number, " + "was '" + value + "'");
                }
            }
            default -> {
                if (expected == null && operator.ordering()) {
                    throw new IllegalArgumentException(quoted + "'" + operator.symbol() + "' compares numbers, and '"
                            + value + "' is not a number (with or without a size unit)");
                }
            }
        }
        return new Requirement(source, property, operator, value, expected, null);
    }

    private static Optional<Operator> longestOperator(String symbol) {
        for (int length = Math.min(2, symbol.length()); length > 0; length--) {
            Optional<Operator> found = Operator.ofSymbol(symbol.substring(0, length));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The property it constrains. */
    public String property() {
        return property;
    }

    /** The operator. */
    public Operator operator() {
        return operator;
    }

    /** The value as written. */
    public String value() {
        return value;
    }

    /**
     * Why a host fails this requirement, or empty when it meets it.
     *
     * @param attributes the host's value of a property, by name; empty when the host has none
     * @return a reason such as {@code memory 2 GiB < 4 GiB} or {@code gpu: no such property}
     */
    public Optional<String> check(Function<String, Optional<String>> attributes) {
        Optional<String> actual = attributes.apply(property);
        if (actual.isEmpty()) {
            return Optional.of(property + ": no such property (neither declared nor probed)");
        }
        return failure(actual.get().strip());
    }

    private Optional<String> failure(String actual) {
        if (pattern != null) {
            boolean found = pattern.matcher(actual).find();
            return (operator == Operator.MATCHES) == found ? Optional.empty() : relation(actual);
        }
        if (expected == null) {
            return textComparison(actual);
        }
        Quantity.Reading reading = Quantity.read(actual);
        if (!(reading instanceof Quantity.Parsed parsed)) {
            if (kind == PropertyKind.FREE && !operator.ordering()) {
                return textComparison(actual);
            }
            return Optional.of(property + " '" + actual + "' is not " + (expected.isSize() ? "a size" : "a number"));
        }
        Quantity quantity = parsed.quantity();
        if (quantity.isSize() != expected.isSize()) {
            return Optional.of(
                    expected.isSize()
                            ? property + " " + actual + " has no unit to compare with " + value
                            : property + " " + actual + " is a size, " + value + " is a plain number");
        }
        int comparison = quantity.number().compareTo(expected.number());
        return operator.holds(comparison) ? Optional.empty() : relation(quantity.format(expected.unit()));
    }

    private Optional<String> textComparison(String actual) {
        return operator.holds(actual.equals(value) ? 0 : 1) ? Optional.empty() : relation(actual);
    }

    private Optional<String> relation(String actual) {
        return Optional.of(property + " " + actual + " " + operator.negation().symbol() + " " + value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Requirement that && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The requirement as written (stripped). */
    @Override
    public String toString() {
        return text;
    }
}
