package io.testbed.cli;

import io.testbed.core.prefix.PrefixResource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One environment on this host as {@code testbed ls} shows it (and {@code --json} writes it): who owns it, whether
 * that process still runs, whether it is kept, and what it holds.
 *
 * @param name       the environment's name; {@code ?} when its prefix directory is gone
 * @param id         the prefix uuid
 * @param prefix     the prefix directory
 * @param pid        the owner process
 * @param ownerAlive whether that process still runs (the same process: a recycled pid does not count)
 * @param kept       whether the environment is kept on purpose (the {@code KEPT} marker)
 * @param orphaned   why the reaper may remove it (owner dead and not kept, prefix gone); null while it may not
 * @param registered whether the owner registry lists it (an environment found only through its leases is not)
 * @param created    when its prefix was created; null when the prefix is gone
 * @param ageSeconds seconds since then; -1 when unknown
 * @param machines   its machines with provider, object id, state and addresses
 * @param networks   its networks with provider, object id, subnet and state
 * @param leases     the subnets it holds in the lease store
 * @param problem    what could not be read (an unreadable prefix); null when all was read
 */
record EnvironmentInfo(
        String name,
        String id,
        String prefix,
        long pid,
        boolean ownerAlive,
        boolean kept,
        String orphaned,
        boolean registered,
        Instant created,
        long ageSeconds,
        List<PrefixResource> machines,
        List<PrefixResource> networks,
        List<String> leases,
        String problem) {

    EnvironmentInfo {
        machines = List.copyOf(machines);
        networks = List.copyOf(networks);
        leases = List.copyOf(leases);
    }

    /** The first 8 characters of the id, as provider object names and prefix directories carry it. */
    String shortId() {
        return id.substring(0, Math.min(8, id.length()));
    }

    /** The machine named {@code machine}, if the environment has it. */
    Optional<PrefixResource> machine(String machine) {
        return machines.stream().filter(m -> m.name().equals(machine)).findFirst();
    }
}
