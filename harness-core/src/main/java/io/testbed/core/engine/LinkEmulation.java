package io.testbed.core.engine;

import io.testbed.core.internal.netem.HostKernel;
import io.testbed.core.internal.netem.HostRules;
import io.testbed.core.internal.netem.LinkChecks;
import io.testbed.core.internal.netem.NetworkEmulation;
import io.testbed.core.internal.netem.Node;
import io.testbed.core.journal.Journal;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Where the engine meets network emulation: the machines as {@link Node}s (from the spec before provisioning, from
 * the live machines after), groups resolved by machine name or {@link RoleExpression}, and the checks of declared
 * constraints.
 */
final class LinkEmulation {

    private static final InetAddress UNPLANNED = InetAddress.getLoopbackAddress();

    private LinkEmulation() {}

    /**
     * Checks the declared constraints against the declared machines; only asks the host kernel about netem when a
     * delay is declared.
     */
    static void check(EnvironmentSpec spec, Map<String, Provider> providers, Problems problems) {
        if (spec.links().isEmpty()) {
            return;
        }
        List<Node> nodes = new ArrayList<>();
        for (MachineSpec machine : spec.machines()) {
            Map<String, InetAddress> addresses = new LinkedHashMap<>();
            machine.networks().forEach(network -> addresses.put(network, UNPLANNED));
            Provider provider = providers.get(machine.provider());
            nodes.add(new Node(
                    machine.name(),
                    machine.roles(),
                    addresses,
                    kernel(provider == null ? Set.of() : provider.capabilities()),
                    Node.Restore.UNCHANGED,
                    null));
        }
        boolean delays = spec.links().stream().anyMatch(l -> !l.delay().isZero());
        Set<String> networks = spec.networks().stream().map(NetworkSpec::name).collect(Collectors.toSet());
        for (LinkChecks.Problem problem :
                LinkChecks.check(spec.links(), nodes, groups(nodes), networks, delays && HostKernel.hasNetem())) {
            problems.add(EnvironmentSpec.linkElement(problem.constraint()), problem.attribute(), problem.rule());
        }
    }

    /** The live environment's links, before its baseline is applied. */
    static NetworkEmulation create(
            EnvironmentSpec spec, Resources resources, Owner owner, Journal journal, ExecutorService pool, Path logs) {
        List<Node> nodes = new ArrayList<>();
        for (Resources.MachineEntry entry : resources.machines()) {
            Map<String, InetAddress> addresses = new LinkedHashMap<>();
            for (NicPlan nic : entry.plan().nics()) {
                addresses.put(nic.network(), nic.address());
            }
            nodes.add(new Node(
                    entry.plan().name(),
                    entry.plan().spec().roles(),
                    addresses,
                    kernel(entry.capabilities()),
                    restore(entry.capabilities()),
                    entry.machine()));
        }
        Set<String> networks = spec.networks().stream().map(NetworkSpec::name).collect(Collectors.toSet());
        return new NetworkEmulation(
                nodes,
                groups(nodes),
                networks,
                spec.links(),
                HostRules.of(owner),
                journal,
                tasks -> runAll(tasks, pool),
                logs);
    }

    /** A group: a machine's name, else a role expression over the machines' roles. */
    static Function<String, List<String>> groups(List<Node> nodes) {
        return group -> {
            if (nodes.stream().anyMatch(n -> n.name().equals(group))) {
                return List.of(group);
            }
            return RoleExpression.select(group, nodes, Node::roles).stream()
                    .map(Node::name)
                    .toList();
        };
    }

    private static Node.Kernel kernel(Set<Capability> capabilities) {
        return capabilities.contains(Capability.OWN_KERNEL) ? Node.Kernel.OWN : Node.Kernel.HOST;
    }

    private static Node.Restore restore(Set<Capability> capabilities) {
        if (capabilities.contains(Capability.MEMORY_SNAPSHOTS)) {
            return Node.Restore.WITH_SNAPSHOT;
        }
        return capabilities.contains(Capability.DISK_SNAPSHOTS) ? Node.Restore.EMPTY : Node.Restore.UNCHANGED;
    }

    private static void runAll(List<Runnable> tasks, ExecutorService pool) {
        if (tasks.size() == 1) {
            tasks.get(0).run();
            return;
        }
        List<Callable<Void>> callables = new ArrayList<>();
        for (Runnable task : tasks) {
            callables.add(() -> {
                task.run();
                return null;
            });
        }
        Provisioning.runAll(callables, pool);
    }
}
