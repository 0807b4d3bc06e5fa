package io.testbed.provider.ssh;

import java.util.Map;
import java.util.Optional;

/**
 * What kind of value a property holds, so that requirements and inventories are checked before anything is
 * matched: {@code memory >= 4} lacks a unit, {@code cpus > 2 GiB} has one too many, {@code arch > x86} compares
 * text by order. Properties not listed are {@link #FREE}: their values are taken as written.
 */
public enum PropertyKind {
    /** A size with a unit: {@code 4 GiB}. */
    SIZE("a size"),
    /** A whole number without unit: {@code 4}. */
    COUNT("a count"),
    /** Text, compared by equality or regular expression. */
    TEXT("text"),
    /** Anything: compared as a number or size when both sides are one, otherwise as text. */
    FREE("free-form");

    private static final Map<String, PropertyKind> KNOWN = Map.ofEntries(
            Map.entry("memory", SIZE),
            Map.entry("disk", SIZE),
            Map.entry("cpus", COUNT),
            Map.entry("nics", COUNT),
            Map.entry("port", COUNT),
            Map.entry("hostname", TEXT),
            Map.entry("address", TEXT),
            Map.entry("user", TEXT),
            Map.entry("arch", TEXT),
            Map.entry("kernel", TEXT),
            Map.entry("drivers", TEXT));

    private final String description;

    PropertyKind(String description) {
        this.description = description;
    }

    /** For messages: {@code a size}, {@code a count}, {@code text}. */
    public String description() {
        return description;
    }

    /** The kind of property {@code name}. */
    public static PropertyKind of(String name) {
        return KNOWN.getOrDefault(name, FREE);
    }

    /**
     * Why {@code value} cannot be the value of property {@code name} declared in an inventory, or empty when it
     * can: sizes need a unit, counts are whole numbers, text and free-form values are anything.
     */
    public static Optional<String> problem(String name, String value) {
        Quantity.Reading reading = Quantity.read(value);
        return switch (of(name)) {
            case SIZE ->
                reading instanceof Quantity.Parsed parsed && parsed.quantity().isSize()
                        ? Optional.empty()
                        : Optional.of("is a size; give a unit: " + Quantity.UNIT_LIST + " (e.g. '16 GiB'), was '"
                                + value + "'");
            case COUNT ->
                reading instanceof Quantity.Parsed parsed && parsed.quantity().isCount()
                        ? Optional.empty()
                        : Optional.of("is a count; expected a whole number, was '" + value + "'");
            case TEXT, FREE -> Optional.empty();
        };
    }
}
