package io.testbed.core.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Events of network emulation ({@link io.testbed.core.Links}): constraints applied or removed, cuts made and healed,
 * validation results, host rules removed.
 */
@API(status = API.Status.EXPERIMENTAL)
public sealed interface LinkEvent extends Event {

    /**
     * The links now follow {@code constraints} (each {@code from -> to: delay=… loss=…}), {@code why} (baseline,
     * run time, reset after a test, revert to a snapshot); {@code directions} ordered pairs of machines are
     * constrained; applying took {@code duration}.
     */
    record ConstraintsApplied(
            Instant time, String environment, String why, List<String> constraints, int directions, Duration duration)
            implements LinkEvent {
        public ConstraintsApplied {
            constraints = List.copyOf(constraints);
        }
    }

    /** Cut {@code id} ({@code kind}: partition, isolate …) now drops traffic: {@code description}. */
    record CutMade(Instant time, String environment, int id, String kind, String description, Duration duration)
            implements LinkEvent {}

    /** Cut {@code id} is healed. */
    record CutHealed(Instant time, String environment, int id, String description, Duration duration)
            implements LinkEvent {}

    /**
     * {@link io.testbed.core.Links#validate} measured {@code rows} pairs with {@code probes} pings each; the table is
     * {@code table} (as {@link io.testbed.core.LinkValidation#render()} writes it).
     */
    record Validated(Instant time, String environment, int probes, int rows, String table, Duration duration)
            implements LinkEvent {}

    /** Testbed's rules on the host ({@code what}: the nftables table) are removed. */
    record HostRulesRemoved(Instant time, String environment, String what) implements LinkEvent {}
}
