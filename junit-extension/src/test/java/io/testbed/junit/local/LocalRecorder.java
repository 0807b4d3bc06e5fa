package io.testbed.junit.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the {@link LocalProvider} did, for lifecycle assertions: every call in order, tagged with the prefix
 * directory of its environment ({@code name-uuid8}), and what exists right now (machines, networks, running jobs),
 * so a test can prove that nothing leaked.
 */
public final class LocalRecorder {

    /** One call: the environment's prefix directory name, and what happened ({@code machine web create}). */
    public record Event(String prefix, String what) {}

    private static final List<Event> EVENTS = new ArrayList<>();
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    private LocalRecorder() {}

    static void record(Path prefixDir, String what) {
        synchronized (EVENTS) {
            EVENTS.add(new Event(prefixDir.getFileName().toString(), what));
        }
    }

    /** Lets a fixture test put its own steps between the provider's, e.g. {@code test first}. */
    public static void mark(io.testbed.core.Environment environment, String what) {
        record(environment.prefixDir(), what);
    }

    static void created(String resource) {
        LIVE.add(resource);
    }

    static void destroyed(String resource) {
        LIVE.remove(resource);
    }

    /** Every event so far. */
    public static List<Event> events() {
        synchronized (EVENTS) {
            return List.copyOf(EVENTS);
        }
    }

    /** The steps of environments named {@code name} (any prefix {@code name-xxxxxxxx}), in order. */
    public static List<String> events(String name) {
        return events().stream()
                .filter(e -> e.prefix().startsWith(name + "-"))
                .map(Event::what)
                .toList();
    }

    /** The distinct prefix directories of environments named {@code name}, in order of first appearance. */
    public static List<String> prefixes(String name) {
        return events().stream()
                .map(Event::prefix)
                .filter(p -> p.startsWith(name + "-"))
                .distinct()
                .toList();
    }

    /** The steps of one environment, by prefix directory name. */
    public static List<String> eventsOfPrefix(String prefix) {
        return events().stream()
                .filter(e -> e.prefix().equals(prefix))
                .map(Event::what)
                .toList();
    }

    /** What exists right now ({@code <prefix> machine web}, {@code <prefix> job web#1}, …), sorted. */
    public static Set<String> live() {
        return new TreeSet<>(LIVE);
    }

    public static void reset() {
        synchronized (EVENTS) {
            EVENTS.clear();
        }
    }
}
