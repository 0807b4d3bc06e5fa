package io.testbed.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Samples of the named parts a measured time is made of, in the order they were first seen. Thread-safe. */
final class Phases {

    private final Map<String, Samples> parts = new LinkedHashMap<>();

    synchronized Phases add(String part, double value) {
        parts.computeIfAbsent(part, name -> new Samples()).add(value);
        return this;
    }

    synchronized Map<String, Samples> parts() {
        return new LinkedHashMap<>(parts);
    }
}
