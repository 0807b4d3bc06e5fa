package io.testbed.provider.ssh;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apiguardian.api.API;

/**
 * A {@link FactProbe} that remembers each host's facts for a while, so that the classes of one run probe a host
 * once. Keyed by host name and target ({@code user@address:port}), so an edited inventory entry is probed anew.
 *
 * <p>Thread-safe: concurrent calls for one host wait for a single probe. Failures are not remembered: the next call
 * probes again. Entries older than the time to live are probed again on their next use.
 */
@API(status = API.Status.INTERNAL)
public final class FactCache implements FactProbe {

    /** How long facts are trusted by default: long enough for one test run, short enough for a changed host. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    private final FactProbe probe;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    /** A cache over {@code probe} keeping facts for {@code ttl}. */
    public FactCache(FactProbe probe, Duration ttl) {
        this(probe, ttl, System::nanoTime);
    }

    /** As {@link #FactCache(FactProbe, Duration)} with a replaceable clock (nanoseconds), for tests. */
    public FactCache(FactProbe probe, Duration ttl, LongSupplier nanoTime) {
        this.probe = Objects.requireNonNull(probe, "probe");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public HostFacts probe(InventoryHost host) {
        String key = host.name() + " " + host.target();
        return slots.computeIfAbsent(key, k -> new Slot()).facts(host);
    }

    /** Forgets every entry, e.g. after hosts were changed on purpose. */
    public void clear() {
        slots.clear();
    }

    /** One host's facts; its monitor makes concurrent callers wait for one probe. */
    private final class Slot {
        private HostFacts facts; // guarded by this
        private long probedAt; // guarded by this

        synchronized HostFacts facts(InventoryHost host) {
            if (facts == null || nanoTime.getAsLong() - probedAt >= ttlNanos) {
                facts = null;
                HostFacts fresh = probe.probe(host);
                probedAt = nanoTime.getAsLong();
                facts = fresh;
            }
            return facts;
        }
    }
}
