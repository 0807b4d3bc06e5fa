package io.testbed.core.internal.netem;

import io.testbed.core.LinkConstraint;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * The rules a constraint must follow against the machines it names, checked before anything is provisioned (on the
 * declared machines) and again before a run-time constraint is applied: its groups and networks exist and select
 * only machines on the environment's networks (not existing hosts, whose NICs Testbed does not own), its
 * exceptions name machines, it covers at least one pair, and the kernel that carries each sender's traffic can
 * honour it.
 */
@API(status = API.Status.INTERNAL)
public final class LinkChecks {

    /** A broken rule: {@code attribute} of {@code constraint} and the rule with the actual value. */
    public record Problem(LinkConstraint constraint, String attribute, String rule) {}

    private LinkChecks() {}

    /**
     * Every broken rule of {@code constraints}.
     *
     * @param groups    the machine names a group selects; throws {@link IllegalArgumentException} when malformed
     * @param networks  the environment's networks
     * @param hostNetem whether the host kernel has sch_netem (containers' delays need it)
     */
    public static List<Problem> check(
            List<LinkConstraint> constraints,
            List<Node> nodes,
            Function<String, List<String>> groups,
            Set<String> networks,
            boolean hostNetem) {
        List<Problem> problems = new ArrayList<>();
        for (LinkConstraint constraint : constraints) {
            boolean groupsResolve = group(constraint, "from", constraint.from(), nodes, groups, problems)
                    & group(constraint, "to", constraint.to(), nodes, groups, problems);
            if (!constraint.network().isEmpty() && !networks.contains(constraint.network())) {
                problems.add(new Problem(
                        constraint,
                        "network",
                        "names unknown network '" + constraint.network() + "'; networks: " + new TreeSet<>(networks)));
                continue;
            }
            for (LinkConstraint.Pair pair : constraint.except()) {
                for (String machine : List.of(pair.first(), pair.second())) {
                    if (nodes.stream().noneMatch(n -> n.name().equals(machine))) {
                        problems.add(new Problem(
                                constraint,
                                "except",
                                "names unknown machine '" + machine + "' in '" + pair + "'; machines: "
                                        + names(nodes)));
                    }
                }
            }
            if (!groupsResolve) {
                continue;
            }
            var table = LinkTable.resolve(List.of(constraint), nodes, groups);
            if (table.isEmpty()) {
                problems.add(new Problem(
                        constraint,
                        "",
                        "covers no pair of different machines that share a network"
                                + (constraint.network().isEmpty() ? "" : " on '" + constraint.network() + "'")));
                continue;
            }
            if (constraint.delay().isZero() || hostNetem) {
                continue;
            }
            Set<String> senders = new LinkedHashSet<>();
            table.keySet().forEach(direction -> senders.add(direction.from()));
            for (Node node : nodes) {
                if (senders.contains(node.name()) && node.kernel() == Node.Kernel.HOST) {
                    problems.add(new Problem(
                            constraint,
                            "delay",
                            LinkConstraint.formatDuration(constraint.delay()) + " from machine '"
                                    + node.name() + "' needs " + HostKernel.NETEM + " in the kernel that carries its "
                                    + "traffic: a container shares the host's kernel, which has no "
                                    + HostKernel.NETEM + "; delay virtual machines instead, or run on a host whose "
                                    + "kernel has " + HostKernel.NETEM));
                }
            }
        }
        return problems;
    }

    private static boolean group(
            LinkConstraint constraint,
            String attribute,
            String group,
            List<Node> nodes,
            Function<String, List<String>> groups,
            List<Problem> problems) {
        try {
            List<String> selected = groups.apply(group);
            List<String> unreachable = nodes.stream()
                    .filter(n -> selected.contains(n.name()) && n.addresses().isEmpty())
                    .map(Node::name)
                    .toList();
            if (!unreachable.isEmpty()) {
                problems.add(new Problem(
                        constraint,
                        attribute,
                        (unreachable.equals(List.of(group))
                                        ? "names machine '" + group + "', which is"
                                        : "names '" + group + "', which selects " + unreachable + ",")
                                + " on no network of the environment"
                                + " (an existing host keeps its own NICs): Testbed shapes only traffic between"
                                + " machines on the environment's networks; constrain those machines instead"));
                return false;
            }
            if (!selected.isEmpty()) {
                return true;
            }
            problems.add(new Problem(
                    constraint,
                    attribute,
                    "names '" + group + "', which is no machine and no role; machines: " + names(nodes) + ", roles: "
                            + roles(nodes)));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(constraint, attribute, e.getMessage()));
        }
        return false;
    }

    private static List<String> names(List<Node> nodes) {
        return nodes.stream().map(Node::name).toList();
    }

    private static Set<String> roles(List<Node> nodes) {
        Set<String> roles = new TreeSet<>();
        nodes.forEach(n -> roles.addAll(n.roles()));
        return roles;
    }
}
