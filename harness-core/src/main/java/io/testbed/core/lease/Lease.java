package io.testbed.core.lease;

import io.testbed.core.spi.Owner;
import java.time.Instant;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One subnet leased to one prefix, as recorded in the {@link LeaseStore}.
 *
 * @param subnet       the subnet in canonical CIDR notation, e.g. {@code 198.18.4.0/24}
 * @param prefixId     the uuid of the prefix that holds it
 * @param prefixPath   the absolute prefix directory; the lease is stale once it has no {@code prefix.json}
 * @param pid          the process that holds it; the lease is stale once that process is dead
 * @param pidStartTime when that process started, so that a recycled pid is not mistaken for the holder; null
 *                     when the operating system does not tell
 * @param acquired     when the lease was taken
 */
@API(status = API.Status.INTERNAL)
public record Lease(
        String subnet, String prefixId, String prefixPath, long pid, Instant pidStartTime, Instant acquired) {

    public Lease {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(prefixId, "prefixId");
        Objects.requireNonNull(prefixPath, "prefixPath");
        Objects.requireNonNull(acquired, "acquired");
    }

    /** The holder as providers label objects with it. */
    public Owner owner() {
        return new Owner(prefixId, prefixPath, pid);
    }

    /** The holder for messages: prefix path and id, process and since when. */
    public String describeHolder() {
        return "prefix " + prefixPath + " (id " + prefixId + "), pid " + pid + ", since " + acquired;
    }
}
