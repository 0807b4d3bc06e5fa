package io.testbed.core.engine;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.netem.HostRules;
import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.spi.Provider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * Cleans up after environments whose JVM died (SIGKILL, crash, power loss): every provider destroys the
 * objects whose owner is no longer alive ({@link OwnerLiveness#isAlive}), the host's network-emulation tables of
 * such owners are deleted ({@link HostRules#reapOrphans}), stale leases are reclaimed, and dead
 * owners are dropped from the registry. The engine runs it before each provisioning, with the providers that
 * environment uses (so a VM-only run never starts a Docker client; a dead run's containers are reaped before the
 * next environment with containers); it is also safe to run from a CLI at any time, while other JVMs are
 * provisioning.
 */
@API(status = API.Status.INTERNAL)
public final class Reaper {

    private Reaper() {}

    /**
     * Reaps orphans of every given provider.
     *
     * @return a line per object removed (empty when nothing was orphaned)
     */
    public static List<String> reap(TestbedConfig config, Collection<Provider> providers) {
        List<String> reaped = new ArrayList<>();
        boolean clean = true;
        for (Provider provider : providers) {
            try {
                reaped.addAll(provider.reapOrphans(owner -> !OwnerLiveness.isAlive(owner), config.asMap()));
            } catch (RuntimeException e) {
                clean = false;
                reaped.add("provider " + provider.name() + ": reaping failed: " + e.getMessage());
            }
        }
        // the host's nftables tables of dead owners: only tables named testbed_<short id>, never anyone else's
        reaped.addAll(HostRules.reapOrphans(Owners.besideLeases(config.leaseDir())));
        reaped.addAll(Leasing.reclaimStale(config));
        if (clean) {
            reaped.addAll(dropDeadOwners(Owners.besideLeases(config.leaseDir())));
        }
        return reaped;
    }

    private static List<String> dropDeadOwners(Owners owners) {
        List<String> dropped = new ArrayList<>();
        Path dir = owners.directory();
        if (!Files.isDirectory(dir)) {
            return dropped;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.matches("[0-9a-f]{8}\\.json")) {
                    continue;
                }
                owners.lookup(name.substring(0, 8))
                        .filter(owner -> !OwnerLiveness.isAlive(owner))
                        .ifPresent(owner -> {
                            owners.unregister(owner);
                            dropped.add("owner " + owner.shortId() + " (" + owner.prefixPath() + ", pid " + owner.pid()
                                    + ") unregistered");
                        });
            }
        } catch (IOException e) {
            dropped.add("owner registry " + dir + " unreadable: " + e);
        }
        return dropped;
    }
}
