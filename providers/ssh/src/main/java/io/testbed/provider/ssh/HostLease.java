package io.testbed.provider.ssh;

import io.testbed.core.spi.Owner;
import java.time.Instant;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One inventory host leased to one prefix, as recorded in the {@link HostLeaseStore}.
 *
 * @param host         the inventory host name
 * @param prefixId     the uuid of the prefix that holds it
 * @param prefixPath   the absolute prefix directory; the lease is stale once it has no {@code prefix.json}
 * @param pid          the process that holds it; the lease is stale once that process is dead
 * @param pidStartTime when that process started, so that a recycled pid is not taken for the holder; null when the
 *                     operating system does not tell
 * @param acquired     when the lease was taken
 */
@API(status = API.Status.INTERNAL)
public record HostLease(
        String host, String prefixId, String prefixPath, long pid, Instant pidStartTime, Instant acquired) {

    public HostLease {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(prefixId, "prefixId");
        Objects.requireNonNull(prefixPath, "prefixPath");
        Objects.requireNonNull(acquired, "acquired");
    }

    /** The holder, as providers label objects with it. */
    public Owner owner() {
        return new Owner(prefixId, prefixPath, pid);
    }

    /** For messages: {@code lab-1 held by prefix /p (id …), pid 42, since …}. */
    public String describe() {
        return host + " held by prefix " + prefixPath + " (id " + prefixId + "), pid " + pid + ", since " + acquired;
    }
}
