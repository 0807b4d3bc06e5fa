package io.testbed.provider.ssh;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * One way to give every requested machine its own inventory host.
 *
 * @param placements one per requested machine, in request order
 * @param networks   each requested network label and the inventory network it maps to, in first-use order
 */
@API(status = API.Status.INTERNAL)
public record Match(List<Placement> placements, Map<String, String> networks) {

    public Match {
        placements = List.copyOf(placements);
        networks = Collections.unmodifiableMap(new LinkedHashMap<>(networks));
    }

    /**
     * A requested machine on its host.
     *
     * @param machine the requested machine's name
     * @param host    the host it gets
     * @param nics    the host NICs that serve the request's networks, in the order the request lists them
     */
    public record Placement(String machine, InventoryHost host, List<InventoryNic> nics) {
        public Placement {
            Objects.requireNonNull(machine, "machine");
            Objects.requireNonNull(host, "host");
            nics = List.copyOf(nics);
        }
    }

    /** The host of requested machine {@code machine}. */
    public Optional<InventoryHost> host(String machine) {
        return placements.stream()
                .filter(p -> p.machine().equals(machine))
                .map(Placement::host)
                .findFirst();
    }

    /** The host names, in request order; what a {@link HostLeaseStore} leases. */
    public List<String> hostNames() {
        return placements.stream().map(p -> p.host().name()).toList();
    }

    /** A stable name for the mapping, e.g. {@code web=lab-1, db=lab-2}: the display name of a multi-match run. */
    public String displayName() {
        return placements.stream().map(p -> p.machine() + "=" + p.host().name()).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return displayName();
    }
}
