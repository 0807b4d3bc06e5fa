package io.testbed.core.spec;

import io.testbed.core.LinkConstraint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * A whole declared environment: networks and machines. Built only when every rule holds, so an
 * instance can be planned and provisioned as is; rules that depend on configuration (the lease pool,
 * installed providers) are checked by {@link EnvironmentValidator}.
 *
 * @param name     the environment (prefix) name, a DNS label
 * @param networks the networks, in declaration order
 * @param machines the machines, in declaration order
 * @param links    the declared link constraints (delay, loss, rate between groups), part of the baseline; their
 *                 groups are checked against the machines by the engine, before provisioning
 * @throws InvalidSpecException listing every broken rule
 */
@API(status = API.Status.EXPERIMENTAL)
public record EnvironmentSpec(
        String name, List<NetworkSpec> networks, List<MachineSpec> machines, List<LinkConstraint> links) {

    public EnvironmentSpec {
        networks = List.copyOf(networks);
        machines = List.copyOf(machines);
        links = List.copyOf(links);
        Problems problems = crossCheck(name, networks, machines);
        problems.throwIfAny();
    }

    /** An environment without link constraints. */
    public EnvironmentSpec(String name, List<NetworkSpec> networks, List<MachineSpec> machines) {
        this(name, networks, machines, List.of());
    }

    /** How problems of a link constraint name it: {@code link 'paris -> berlin'}. */
    public static String linkElement(LinkConstraint link) {
        return "link " + Problems.quote(link.from() + " -> " + link.to());
    }

    /** The rules that span elements: unique names and references that resolve. */
    static Problems crossCheck(String name, List<NetworkSpec> networks, List<MachineSpec> machines) {
        String element = "environment " + Problems.quote(name);
        Problems problems = new Problems().checkName(element, name);
        if (machines.isEmpty()) {
            problems.add(element, "machines", "must declare at least one machine");
        }
        Set<String> networkNames = new HashSet<>();
        for (NetworkSpec network : networks) {
            if (!networkNames.add(network.name())) {
                problems.add(network.element(), "name", "is declared twice");
            }
        }
        Set<String> machineNames = new HashSet<>();
        for (MachineSpec machine : machines) {
            if (!machineNames.add(machine.name())) {
                problems.add(machine.element(), "name", "is declared twice");
            }
            for (String network : machine.networks()) {
                if (!networkNames.contains(network)) {
                    problems.add(
                            machine.element(),
                            "networks",
                            "refers to unknown network " + Problems.quote(network) + "; declared networks: "
                                    + networkNames.stream().sorted().toList());
                }
            }
        }
        return problems;
    }

    public MachineSpec machine(String machineName) {
        return machines.stream()
                .filter(m -> m.name().equals(machineName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no machine " + Problems.quote(machineName) + " in environment " + Problems.quote(name)));
    }

    public NetworkSpec network(String networkName) {
        return networks.stream()
                .filter(n -> n.name().equals(networkName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no network " + Problems.quote(networkName) + " in environment " + Problems.quote(name)));
    }
}
