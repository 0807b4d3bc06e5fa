package io.testbed.core.machine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The setting changes made on one machine, in the order they were made, so that they can be undone newest
 * first (changing the same file twice then ends with its original content). Thread-safe.
 */
final class SettingsLedger {

    /**
     * One change.
     *
     * @param description what was changed, for messages ({@code sysctl net.ipv4.ip_forward})
     * @param path        the file written
     * @param oldValue    the value to write back
     */
    record Change(String description, String path, String oldValue) {
        Change {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(oldValue, "oldValue");
        }
    }

    private final List<Change> changes = new ArrayList<>();

    synchronized void record(Change change) {
        changes.add(Objects.requireNonNull(change, "change"));
    }

    /** Removes and returns every recorded change, newest first. A second call returns nothing. */
    synchronized List<Change> drainNewestFirst() {
        List<Change> drained = new ArrayList<>(changes);
        changes.clear();
        Collections.reverse(drained);
        return drained;
    }

    synchronized int size() {
        return changes.size();
    }
}
