package io.testbed.core.engine;

import io.testbed.core.Machine;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The resources of one environment with their lifecycles, persisted to {@code resources.json} in the prefix
 * ({@link PrefixResource}, read back with {@link Prefix#resources()}) on every state change so that the CLI and the
 * reaper know what exists even after a crash.
 */
final class Resources {

    private final Prefix prefix;
    private final Journal journal;
    /** Provider name → the endpoint it talks to ({@link io.testbed.core.spi.Provider#endpoint}), asked once. */
    private final Function<String, String> endpoints;

    private final List<NetworkEntry> networks = new ArrayList<>();
    private final List<MachineEntry> machines = new ArrayList<>();
    /** The state each lifecycle was last journaled in, so a transition is journaled with where it came from. */
    private final Map<Lifecycle, ResourceState> journaledStates = new IdentityHashMap<>();

    Resources(Prefix prefix, Journal journal, Function<String, String> endpoints) {
        this.prefix = prefix;
        this.journal = journal;
        Map<String, String> asked = new java.util.concurrent.ConcurrentHashMap<>();
        this.endpoints = provider -> asked.computeIfAbsent(provider, endpoints);
    }

    synchronized NetworkEntry addNetwork(NetworkPlan plan, String provider) {
        NetworkEntry entry = new NetworkEntry(
                plan,
                provider,
                new Lifecycle(
                        "network '" + plan.name() + "'",
                        lifecycle -> changed(ResourceEvent.Kind.NETWORK, plan.name(), lifecycle)));
        networks.add(entry);
        return entry;
    }

    synchronized MachineEntry addMachine(MachinePlan plan, Set<Capability> capabilities) {
        MachineEntry entry = new MachineEntry(
                plan,
                capabilities,
                new Lifecycle(
                        "machine '" + plan.name() + "'",
                        lifecycle -> changed(ResourceEvent.Kind.MACHINE, plan.name(), lifecycle)));
        machines.add(entry);
        return entry;
    }

    synchronized List<NetworkEntry> networks() {
        return List.copyOf(networks);
    }

    synchronized List<MachineEntry> machines() {
        return List.copyOf(machines);
    }

    private void changed(ResourceEvent.Kind kind, String name, Lifecycle lifecycle) {
        ResourceState to = lifecycle.state();
        ResourceState from;
        synchronized (this) {
            from = journaledStates.getOrDefault(lifecycle, ResourceState.DEFINED);
            journaledStates.put(lifecycle, to);
        }
        journal.record((time, env) -> new ResourceEvent.StateChanged(time, env, kind, name, from.name(), to.name()));
        persist();
    }

    synchronized void persist() {
        List<PrefixResource> rows = new ArrayList<>();
        for (NetworkEntry n : networks) {
            rows.add(new PrefixResource(
                    PrefixResource.NETWORK,
                    n.plan().name(),
                    n.provider(),
                    n.resource() == null ? "" : n.resource().providerId(),
                    n.plan().cidr(),
                    n.lifecycle().state().name(),
                    Map.of(),
                    endpoints.apply(n.provider())));
        }
        for (MachineEntry m : machines) {
            Map<String, String> addresses = new LinkedHashMap<>();
            m.plan()
                    .nics()
                    .forEach(nic -> addresses.put(nic.network(), nic.address().getHostAddress()));
            rows.add(new PrefixResource(
                    PrefixResource.MACHINE,
                    m.plan().name(),
                    m.plan().spec().provider(),
                    m.resource() == null ? "" : m.resource().providerId(),
                    null,
                    m.lifecycle().state().name(),
                    addresses,
                    endpoints.apply(m.plan().spec().provider())));
        }
        prefix.writeResources(rows);
    }

    /** A network and its lifecycle. */
    static final class NetworkEntry {
        private final NetworkPlan plan;
        private final String provider;
        private final Lifecycle lifecycle;
        private volatile NetworkResource resource;

        NetworkEntry(NetworkPlan plan, String provider, Lifecycle lifecycle) {
            this.plan = plan;
            this.provider = provider;
            this.lifecycle = lifecycle;
        }

        void created(NetworkResource created) {
            resource = created;
            lifecycle.moveTo(ResourceState.CREATED);
            lifecycle.moveTo(ResourceState.RUNNING);
        }

        NetworkPlan plan() {
            return plan;
        }

        String provider() {
            return provider;
        }

        Lifecycle lifecycle() {
            return lifecycle;
        }

        NetworkResource resource() {
            return resource;
        }
    }

    /** A machine, its lifecycle and, once ready, its live {@link Machine}. */
    static final class MachineEntry {
        private final MachinePlan plan;
        private final Set<Capability> capabilities;
        private final Lifecycle lifecycle;
        private volatile MachineResource resource;
        private volatile Machine machine;

        MachineEntry(MachinePlan plan, Set<Capability> capabilities, Lifecycle lifecycle) {
            this.plan = plan;
            this.capabilities = Set.copyOf(capabilities);
            this.lifecycle = lifecycle;
        }

        /** Whether the machine's provider can snapshot it (memory or disk). */
        boolean snapshots() {
            return capabilities.contains(Capability.MEMORY_SNAPSHOTS)
                    || capabilities.contains(Capability.DISK_SNAPSHOTS);
        }

        /** What the machine's provider can do. */
        Set<Capability> capabilities() {
            return capabilities;
        }

        /** Whether the machine's provider can pause it ({@link Capability#PAUSE}). */
        boolean pauses() {
            return capabilities.contains(Capability.PAUSE);
        }

        void created(MachineResource created) {
            resource = created;
            lifecycle.moveTo(ResourceState.CREATED);
        }

        void ready(Machine ready) {
            machine = ready;
        }

        MachinePlan plan() {
            return plan;
        }

        Lifecycle lifecycle() {
            return lifecycle;
        }

        MachineResource resource() {
            return resource;
        }

        Machine machine() {
            return machine;
        }
    }
}
