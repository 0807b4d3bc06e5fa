package io.testbed.provider.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.apiguardian.api.API;

/**
 * The existing hosts of one environment: matched and leased in {@link #prepare}, handed out as machines by
 * {@link #createMachine}, released in {@link #close}. Thread-safe.
 */
@API(status = API.Status.INTERNAL)
final class SshSession implements ProviderSession {

    private final ProviderContext context;
    private final BiFunction<Inventory, Map<String, String>, HostMatcher> matchers;
    private final HostLeaseStore store;
    private final Duration connectTimeout;
    private final Duration leaseTimeout;
    private volatile Map<String, Match.Placement> placements = Map.of();

    SshSession(
            ProviderContext context,
            BiFunction<Inventory, Map<String, String>, HostMatcher> matchers,
            HostLeaseStore store) {
        this.context = context;
        this.matchers = matchers;
        this.store = store;
        TestbedConfig config = TestbedConfig.of(context.configuration());
        this.connectTimeout = config.duration(TestbedConfig.SSH_CONNECT_TIMEOUT);
        this.leaseTimeout = config.duration(TestbedConfig.SSH_LEASE_TIMEOUT);
    }

    /** Matches the machines among the hosts no other run holds and leases them (waiting while they are busy). */
    @Override
    public void prepare(List<MachinePlan> machines) {
        if (machines.isEmpty()) {
            return;
        }
        Inventory inventory = InventorySource.load(context.configuration());
        HostMatcher matcher = matchers.apply(inventory, context.configuration());
        List<MachineRequest> requests =
                Requests.of(machines.stream().map(MachinePlan::spec).toList());
        HostLeaseStore.Reservation reservation = context.journal()
                .step(
                        "provider " + SshProvider.NAME,
                        "hosts.lease",
                        () -> store.reserve(context.owner(), matcher, requests, leaseTimeout),
                        (time, env, leased, took) -> new EnvironmentEvent.HostsLeased(
                                time, env, SshProvider.NAME, hosts(leased.match()), took));
        Map<String, Match.Placement> byMachine = new LinkedHashMap<>();
        reservation.match().placements().forEach(p -> byMachine.put(p.machine(), p));
        placements = Map.copyOf(byMachine);
    }

    private static Map<String, String> hosts(Match match) {
        Map<String, String> hosts = new LinkedHashMap<>();
        match.placements().forEach(p -> hosts.put(p.machine(), p.host().name()));
        return hosts;
    }

    @Override
    public NetworkResource createNetwork(NetworkPlan plan) {
        throw new TestbedException("Provider " + SshProvider.NAME + " creates no networks (network '" + plan.name()
                + "'): existing hosts keep their own; let a VM or container provider create it");
    }

    /** The leased host of {@code plan}; nothing is created on it. */
    @Override
    public MachineResource createMachine(MachinePlan plan) {
        Match.Placement placement = Optional.ofNullable(placements.get(plan.name()))
                .orElseThrow(() -> new TestbedException("machine '" + plan.name() + "' has no leased host: the "
                        + "engine must call prepare with every machine of provider " + SshProvider.NAME + " first"));
        return new ExistingHostMachine(plan, placement, context.journal(), connectTimeout);
    }

    /** Releases every host this environment leased. */
    @Override
    public void close() {
        if (context.owner() != null) {
            store.release(context.owner().prefixId());
        }
    }
}
