package io.testbed.bench;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the host holds of the bench's kind of objects, counted at the start and after each group, so that each look
 * reports only what is new: an object left over from an earlier run, or by an earlier group, is reported once (at
 * the start, not counted; or by the group that left it), never again by every later group.
 */
final class LeakCensus {

    private final Supplier<List<String>> find;
    private final Set<String> known = new LinkedHashSet<>();

    /** @param find one line per object found now ({@link Leaks#find}) */
    LeakCensus(Supplier<List<String>> find) {
        this.find = find;
    }

    /** Everything found now that no earlier look found; remembered, so the next look skips it. */
    List<String> newSinceLastLook() {
        return find.get().stream().distinct().filter(known::add).toList();
    }
}
