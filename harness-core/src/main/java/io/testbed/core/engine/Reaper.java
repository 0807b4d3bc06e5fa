package io.testbed.core.engine;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.netem.HostRules;
import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * Cleans up after environments whose JVM died (SIGKILL, crash, power loss): every provider destroys the
 * objects whose owner is no longer alive ({@link OwnerLiveness#isAlive}), the host's network-emulation tables of
 * such owners are deleted ({@link HostRules}), stale leases are reclaimed, dead
 * owners are dropped from the registry and their prefixes' disks (overlays with snapshot state, seed images) are
 * deleted — the logs and the journal stay for reports. The engine runs it before each provisioning, with the
 * providers that environment uses (so a VM-only run never starts a Docker client; a dead run's containers are reaped
 * before the next environment with containers); the CLI's {@code janitor} and {@code destroy} run it with every
 * provider and a selection. It is safe to run at any time, while other JVMs are provisioning: a live owner's objects
 * are never touched, whatever the selection says.
 */
@API(status = API.Status.INTERNAL)
public final class Reaper {

    private static final String REAPING_FAILED = "reaping failed";
    private static final String OTHER_ENDPOINT = "not this reaper's daemon";

    private Reaper() {}

    /**
     * Reaps orphans of every given provider.
     *
     * @return a line per object removed (empty when nothing was orphaned)
     */
    public static List<String> reap(TestbedConfig config, Collection<Provider> providers) {
        return reap(config, providers, owner -> true);
    }

    /**
     * Reaps the orphans of the dead owners that {@code selection} accepts (e.g. one environment, or those older than
     * a day): their provider objects, their stale leases, their registry entries and their prefixes' disks. Owners
     * and leases not selected are left as they are.
     *
     * @return a line per object removed (empty when nothing was orphaned); a provider that failed (its daemon down,
     *         say) adds a line that says so, and the registry entries of the environments that used it then stay,
     *         so that the next run finds their objects again; an owner whose objects live at another endpoint of
     *         a provider (another Docker daemon, another libvirt) stays with a line naming it ({@link #isLeftover})
     */
    public static List<String> reap(TestbedConfig config, Collection<Provider> providers, Predicate<Owner> selection) {
        Predicate<Owner> orphan = owner -> selection.test(owner) && !OwnerLiveness.isAlive(owner);
        // stale leases go even when a provider failed, as on every acquisition: their holders are dead
        return remove(
                config,
                providers,
                orphan,
                () -> HostRules.reapOrphans(Owners.besideLeases(config.leaseDir()), orphan),
                () -> Leasing.reclaimStale(config, selection),
                true);
    }

    /**
     * Destroys one environment's objects whatever its owner's state — for {@code testbed destroy} of an environment
     * its owner no longer uses (kept, or left behind by a dead JVM): provider objects, leases, registry entry and
     * disks. The caller decides whether the owner may lose it; a JVM still using it would see its machines vanish.
     *
     * @return a line per object removed, and one per provider that failed (the registry entry then stays)
     */
    public static List<String> destroy(TestbedConfig config, Collection<Provider> providers, Owner owner) {
        // the leases only once the objects are gone, as teardown does: a leftover bridge still carries the subnet
        return remove(
                config,
                providers,
                candidate -> candidate.prefixId().equals(owner.prefixId()),
                () -> {
                    HostRules rules = HostRules.of(owner);
                    try {
                        rules.remove();
                        return List.of();
                    } catch (RuntimeException e) {
                        return List.of("nftables table bridge " + rules.table() + " not removed: " + e.getMessage());
                    }
                },
                () -> Leasing.release(config, owner.prefixId()),
                false);
    }

    private static List<String> remove(
            TestbedConfig config,
            Collection<Provider> providers,
            Predicate<Owner> orphan,
            Supplier<List<String>> hostTables,
            Supplier<List<String>> leases,
            boolean leasesWhateverHappened) {
        List<String> reaped = new ArrayList<>();
        boolean clean = true;
        Map<String, String> reapedAt = new HashMap<>();
        for (Provider provider : providers) {
            try {
                reaped.addAll(provider.reapOrphans(orphan, config.asMap()));
                reapedAt.put(provider.name(), endpoint(provider, config));
            } catch (RuntimeException e) {
                clean = false;
                reaped.add("provider " + provider.name() + ": " + REAPING_FAILED + ": " + e.getMessage());
            }
        }
        // the host's nftables tables: only tables named testbed_<short id>, never anyone else's
        reaped.addAll(hostTables.get());
        List<String> owners = dropOwners(Owners.besideLeases(config.leaseDir()), orphan, reapedAt, clean);
        // objects in another daemon still use their subnets, as objects a failing provider left do
        boolean keptElsewhere = owners.stream().anyMatch(line -> line.contains(OTHER_ENDPOINT));
        if ((clean && !keptElsewhere) || leasesWhateverHappened) {
            reaped.addAll(leases.get());
        }
        reaped.addAll(owners);
        return reaped;
    }

    /**
     * Whether a line of {@link #reap} or {@link #destroy} tells of something left over rather than removed: a
     * provider that failed, or an owner kept because its objects live at another provider endpoint.
     */
    public static boolean isLeftover(String line) {
        return line.contains(REAPING_FAILED) || line.contains(OTHER_ENDPOINT);
    }

    private static String endpoint(Provider provider, TestbedConfig config) {
        try {
            return provider.endpoint(config.asMap());
        } catch (RuntimeException unknown) {
            return ""; // as a provider without endpoints: it counts as having reaped every endpoint, as before
        }
    }

    /**
     * Drops the registry entries of orphaned owners once every provider they used has reaped them (libvirt finds a
     * dead run's networks only through its entry, so a reap by the Docker provider alone must not drop the entry of
     * an environment with VMs; while dockerd is down, the entries of environments with containers stay, those of
     * VM-only ones go), deleting their prefixes' disks. An owner whose providers are unknown goes only when every
     * provider reaped. A provider reaped an owner's objects only at the endpoint its {@code resources.json} records
     * ({@link PrefixResource#endpoint}): the registry is the host's, but a run against a private {@code DOCKER_HOST}
     * or a remote libvirt keeps its objects in that daemon, which this reaper did not see; such an owner stays, with
     * a line naming the endpoint it waits for.
     */
    private static List<String> dropOwners(
            Owners owners, Predicate<Owner> orphan, Map<String, String> reapedAt, boolean everyProviderReaped) {
        List<String> dropped = new ArrayList<>();
        List<Owner> registered;
        try {
            registered = owners.list();
        } catch (RuntimeException e) {
            return List.of("owner registry " + owners.directory() + " unreadable: " + e.getMessage());
        }
        for (Owner owner : registered) {
            Map<String, Set<String>> used = providersUsed(owner);
            if (!orphan.test(owner)
                    || !reapedAt.keySet().containsAll(used.keySet())
                    || (used.isEmpty() && !everyProviderReaped)) {
                continue;
            }
            String label = "owner " + owner.shortId() + " (" + owner.prefixPath() + ", pid " + owner.pid() + ")";
            List<String> elsewhere = elsewhere(used, reapedAt);
            if (!elsewhere.isEmpty()) {
                dropped.add(label + " kept: " + String.join("; ", elsewhere));
                continue;
            }
            deleteDisks(owner).ifPresent(dropped::add);
            owners.unregister(owner);
            dropped.add(label + " unregistered");
        }
        return dropped;
    }

    /**
     * The recorded endpoints this reaper did not reap at, e.g. {@code docker at unix:///tmp/x.sock: not this
     * reaper's daemon (unix:///var/run/docker.sock)}; none when every one matches. A provider that reports no
     * endpoint reaps everywhere; an object recorded without one (older prefixes) is reaped by any reaper.
     */
    static List<String> elsewhere(Map<String, Set<String>> used, Map<String, String> reapedAt) {
        List<String> elsewhere = new ArrayList<>();
        used.forEach((provider, endpoints) -> {
            String here = reapedAt.getOrDefault(provider, "");
            for (String recorded : endpoints) {
                if (!here.isEmpty() && !recorded.equals(here)) {
                    elsewhere.add(provider + " at " + recorded + ": " + OTHER_ENDPOINT + " (" + here + ")");
                }
            }
        });
        return elsewhere;
    }

    /**
     * The providers whose objects the owner's environment created or was about to create, each with the endpoints
     * its objects were recorded at (empty when none was recorded): those its prefix's {@code resources.json} names,
     * and the providers of the machines its spec declares ({@link Prefix#declaredProviders}) (a JVM killed while
     * creating a network has not recorded it yet, and the network belongs to its machines' provider); none when the
     * directory no longer holds that prefix (nothing tells then: its entry goes as before).
     */
    private static Map<String, Set<String>> providersUsed(Owner owner) {
        Optional<Prefix> prefix = prefixOf(owner);
        if (prefix.isEmpty()) {
            return Map.of();
        }
        Map<String, Set<String>> used = new TreeMap<>();
        try {
            for (PrefixResource resource : prefix.get().resources()) {
                if (resource.provider() != null) {
                    Set<String> endpoints = used.computeIfAbsent(resource.provider(), p -> new TreeSet<>());
                    if (!resource.endpoint().isEmpty()) {
                        endpoints.add(resource.endpoint());
                    }
                }
            }
        } catch (RuntimeException unreadable) {
            // an unreadable resources.json names nothing
        }
        try {
            prefix.get().declaredProviders().forEach(p -> used.computeIfAbsent(p, q -> new TreeSet<>()));
        } catch (RuntimeException unreadable) {
            // a spec cut by the kill names nothing
        }
        return used;
    }

    /** The owner's prefix, if its directory still holds it. */
    private static Optional<Prefix> prefixOf(Owner owner) {
        Path dir = Path.of(owner.prefixPath());
        try {
            if (Prefix.isPrefix(dir)) {
                Prefix prefix = Prefix.open(dir);
                if (prefix.id().equals(owner.prefixId())) {
                    return Optional.of(prefix);
                }
            }
        } catch (RuntimeException unreadable) {
            // an unreadable prefix is treated as gone
        }
        return Optional.empty();
    }

    /**
     * Deletes the disks of a dead owner's prefix (as teardown does), if the directory still holds that prefix; a line
     * saying what was deleted or why it could not be.
     */
    private static Optional<String> deleteDisks(Owner owner) {
        Optional<Prefix> prefix = prefixOf(owner);
        if (prefix.isEmpty() || !Files.isDirectory(prefix.get().disksDir())) {
            return Optional.empty();
        }
        Path dir = prefix.get().dir();
        Path disks = prefix.get().disksDir();
        long files = 0;
        try (Stream<Path> walk = Files.walk(disks)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(disks)) {
                    Files.deleteIfExists(path);
                    files++;
                }
            }
        } catch (IOException e) {
            return Optional.of("disks of " + dir + " not deleted: " + e);
        }
        return files == 0 ? Optional.empty() : Optional.of("disks of " + dir + " deleted (" + files + " file(s))");
    }
}
