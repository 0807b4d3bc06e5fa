package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixMetadata;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spi.Owner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The environments on this host, read from where the engine and the reaper keep them: the owner registry beside the
 * lease store ({@link Owners}), the lease store ({@link LeaseStore}), and each prefix's {@code prefix.json},
 * {@code resources.json} and {@code KEPT} marker ({@link Prefix}). Liveness is the reaper's own rule
 * ({@link OwnerLiveness}). Reads only; takes no lock.
 */
final class HostEnvironments {

    private HostEnvironments() {}

    /** Every environment that is registered or holds a lease, oldest first. */
    static List<EnvironmentInfo> list(TestbedConfig config) {
        Map<String, Owner> owners = new LinkedHashMap<>();
        Map<String, Boolean> registered = new LinkedHashMap<>();
        for (Owner owner : Owners.besideLeases(config.leaseDir()).list()) {
            owners.put(owner.prefixId(), owner);
            registered.put(owner.prefixId(), true);
        }
        List<Lease> leases = LeaseStore.fromConfiguration(config.asMap()).list();
        for (Lease lease : leases) {
            owners.putIfAbsent(lease.prefixId(), lease.owner());
        }
        Instant now = Instant.now();
        List<EnvironmentInfo> environments = new ArrayList<>();
        for (Owner owner : owners.values()) {
            List<String> held = leases.stream()
                    .filter(lease -> lease.prefixId().equals(owner.prefixId()))
                    .map(Lease::subnet)
                    .toList();
            environments.add(describe(owner, registered.getOrDefault(owner.prefixId(), false), held, now));
        }
        environments.sort(Comparator.comparing((EnvironmentInfo e) -> e.created() == null ? Instant.EPOCH : e.created())
                .thenComparing(EnvironmentInfo::id));
        return environments;
    }

    /** One environment as {@code ls} shows it. */
    static EnvironmentInfo describe(Owner owner, boolean registered, List<String> leases, Instant now) {
        Path dir = Path.of(owner.prefixPath());
        String orphaned = OwnerLiveness.deadReason(owner).orElse(null);
        if (!Prefix.isPrefix(dir)) {
            return unread(owner, "?", registered, orphaned, leases, "prefix directory " + dir + " is gone");
        }
        try {
            Prefix prefix = Prefix.open(dir);
            PrefixMetadata metadata = prefix.metadata();
            List<PrefixResource> resources = prefix.resources();
            return new EnvironmentInfo(
                    prefix.name(),
                    owner.prefixId(),
                    prefix.dir().toString(),
                    owner.pid(),
                    alive(owner.pid(), metadata.pid() == owner.pid() ? metadata.pidStartTime() : null),
                    prefix.kept(),
                    orphaned,
                    registered,
                    metadata.created(),
                    Math.max(0, Duration.between(metadata.created(), now).toSeconds()),
                    resources.stream().filter(PrefixResource::isMachine).toList(),
                    resources.stream().filter(PrefixResource::isNetwork).toList(),
                    leases,
                    null);
        } catch (RuntimeException unreadable) {
            return unread(owner, dir.getFileName().toString(), registered, orphaned, leases, unreadable.getMessage());
        }
    }

    /** An environment whose prefix could not be read: what the registry and the leases say, and why. */
    private static EnvironmentInfo unread(
            Owner owner, String name, boolean registered, String orphaned, List<String> leases, String problem) {
        return new EnvironmentInfo(
                name,
                owner.prefixId(),
                owner.prefixPath(),
                owner.pid(),
                alive(owner.pid(), null),
                false,
                orphaned,
                registered,
                null,
                -1,
                List.of(),
                List.of(),
                leases,
                problem);
    }

    /**
     * The environment of a prefix directory that neither the registry nor the lease store lists (torn down, or rolled
     * back): its logs and journal are still there for {@code logs}.
     */
    static Optional<EnvironmentInfo> fromPrefixDirectory(Path dir) {
        if (!Prefix.isPrefix(dir)) {
            return Optional.empty();
        }
        PrefixMetadata metadata = Prefix.open(dir).metadata();
        Owner owner = new Owner(metadata.id(), dir.toAbsolutePath().normalize().toString(), metadata.pid());
        return Optional.of(describe(owner, false, List.of(), Instant.now()));
    }

    private static boolean alive(long pid, Instant startTime) {
        return OwnerLiveness.processGone(pid, startTime).isEmpty();
    }
}
