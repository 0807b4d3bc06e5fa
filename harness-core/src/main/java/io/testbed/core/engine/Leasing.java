package io.testbed.core.engine;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.lease.SubnetPool;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spi.Owner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The engine's use of the lease store: one subnet per network, all or nothing, released on teardown. */
final class Leasing {

    private final LeaseStore store;
    private final List<Lease> held = new ArrayList<>();

    private Leasing(LeaseStore store) {
        this.store = store;
    }

    static Leasing open(TestbedConfig config) {
        return new Leasing(LeaseStore.fromConfiguration(config.asMap()));
    }

    /** Explicit subnets valid, inside the pool and distinct; every subnet large enough for its machines. */
    static void checkSubnets(EnvironmentSpec spec, TestbedConfig config, Problems problems) {
        SubnetPool pool;
        try {
            pool = SubnetPool.fromConfiguration(config.asMap());
        } catch (IllegalArgumentException e) {
            problems.add("configuration", TestbedConfig.LEASE_POOL, e.getMessage());
            return;
        }
        problems.addAll(AddressPlanner.checkSubnets(spec, pool));
    }

    /** Leases a subnet for every network: explicit ones exactly, the rest from the pool; network → CIDR. */
    synchronized Map<String, String> acquire(EnvironmentSpec spec, Owner owner) {
        Map<String, String> subnets = new LinkedHashMap<>();
        try {
            List<NetworkSpec> pooled = new ArrayList<>();
            for (NetworkSpec network : spec.networks()) {
                if (network.subnet().isPresent()) {
                    Lease lease = store.acquireExact(owner, network.subnet().get());
                    held.add(lease);
                    subnets.put(network.name(), lease.subnet());
                } else {
                    pooled.add(network);
                }
            }
            if (!pooled.isEmpty()) {
                List<Lease> leases = store.acquire(owner, pooled.size());
                held.addAll(leases);
                for (int i = 0; i < pooled.size(); i++) {
                    subnets.put(pooled.get(i).name(), leases.get(i).subnet());
                }
            }
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        spec.networks().forEach(n -> ordered.put(n.name(), subnets.get(n.name())));
        return ordered;
    }

    /** Reclaims the leases whose holder is dead, among those of the owners {@code selection} accepts; a line each. */
    static List<String> reclaimStale(TestbedConfig config, Predicate<Owner> selection) {
        return LeaseStore.fromConfiguration(config.asMap())
                .reclaimStale(lease -> selection.test(lease.owner()))
                .stream()
                .map(lease -> "lease " + lease.subnet() + " of " + lease.describeHolder() + " reclaimed")
                .toList();
    }

    /** Releases every lease of the prefix {@code prefixId}, live or not (destroying one environment); a line each. */
    static List<String> release(TestbedConfig config, String prefixId) {
        return LeaseStore.fromConfiguration(config.asMap()).release(prefixId).stream()
                .map(lease -> "lease " + lease.subnet() + " of " + lease.describeHolder() + " released")
                .toList();
    }

    synchronized void releaseAll() {
        for (Lease lease : held) {
            store.release(lease);
        }
        held.clear();
    }
}
