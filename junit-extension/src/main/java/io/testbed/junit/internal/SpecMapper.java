package io.testbed.junit.internal;

import io.testbed.core.LinkConstraint;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.ExistingHostOptions;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spec.ProviderOptions;
import io.testbed.core.spec.SpecProblem;
import io.testbed.junit.Disk;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Link;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.SshHost;
import io.testbed.junit.VM;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a class's annotations into an {@link EnvironmentSpec}, collecting every broken rule instead of stopping at
 * the first: each spec record validates itself in its constructor, the environment checks names and references
 * across records, and every problem is rendered against the annotation it came from
 * ({@code @VM(name = "web") memoryMb must be at least 32, was 0}).
 */
final class SpecMapper {

    /** The spec when every record was valid, and the rendered problems otherwise. */
    record Mapping(Optional<EnvironmentSpec> spec, Map<String, String> labels) {

        /** Renders a problem found later (engine or provider validation) against the annotation it concerns. */
        String render(SpecProblem problem) {
            return SpecMapper.render(labels.getOrDefault(problem.element(), problem.element()), problem);
        }
    }

    private SpecMapper() {}

    /**
     * Maps {@code topology}; problems go to {@code misuses}. The spec is present only when nothing was wrong.
     */
    static Mapping map(Topology topology, TestbedConfig config, Misuses misuses) {
        String name = topology.prefix()
                .map(Prefix::name)
                .filter(s -> !s.isBlank())
                .orElseGet(() -> deriveName(topology.testClass().getSimpleName()));
        String provider = topology.prefix()
                .map(Prefix::provider)
                .filter(s -> !s.isBlank())
                .orElseGet(() -> config.get(TestbedConfig.DEFAULT_PROVIDER));
        String defaultTemplate = config.get(TestbedConfig.DEFAULT_TEMPLATE);

        Map<String, String> labels = new HashMap<>();
        labels.put("environment " + Problems.quote(name), Labels.prefix(name));
        int problemsBefore = misuses.messages().size();

        List<NetworkSpec> networks = new ArrayList<>();
        Set<String> invalidNetworks = new HashSet<>();
        for (Network network : topology.networks()) {
            String label = Labels.network(network.name());
            labels.put("network " + Problems.quote(network.name()), label);
            String subnet = network.subnet().strip();
            try {
                networks.add(new NetworkSpec(
                        network.name(),
                        network.mode(),
                        subnet.isEmpty() ? Optional.empty() : Optional.of(subnet),
                        network.dhcp(),
                        network.mtu()));
            } catch (InvalidSpecException e) {
                invalidNetworks.add(network.name());
                e.problems().forEach(p -> misuses.value(render(label, p)));
            }
        }

        List<MachineSpec> machines = new ArrayList<>();
        for (VM vm : topology.machines()) {
            String label = Labels.vm(vm.name());
            labels.put("machine " + Problems.quote(vm.name()), label);
            List<DiskSpec> disks = new ArrayList<>();
            for (Disk disk : vm.disks()) {
                try {
                    disks.add(new DiskSpec(disk.name(), disk.sizeMb()));
                } catch (InvalidSpecException e) {
                    e.problems().forEach(p -> misuses.value(render(Labels.disk(vm.name(), disk.name()), p)));
                }
            }
            Map<String, String> properties = properties(vm.properties(), label, misuses);
            checkCollect(vm.collect(), label, misuses);
            String image =
                    vm.template().isBlank() ? defaultTemplate : vm.template().strip();
            // references to networks that are themselves invalid are reported with those networks
            List<String> nics = List.of(vm.networks()).stream()
                    .filter(n -> !invalidNetworks.contains(n))
                    .toList();
            try {
                machines.add(new MachineSpec(
                        vm.name(),
                        provider,
                        image,
                        vm.cpus(),
                        vm.memoryMb(),
                        nics,
                        disks,
                        new LinkedHashSet<>(List.of(vm.roles())),
                        properties));
            } catch (InvalidSpecException e) {
                e.problems().forEach(p -> misuses.value(render(label, p)));
            }
        }

        for (DockerHost container : topology.containers()) {
            String label = Labels.dockerHost(container.name());
            labels.put("machine " + Problems.quote(container.name()), label);
            Map<String, String> properties = properties(container.properties(), label, misuses);
            ProviderOptions options = containerOptions(container, label, misuses);
            checkCollect(container.collect(), label, misuses);
            List<String> nics = List.of(container.networks()).stream()
                    .filter(n -> !invalidNetworks.contains(n))
                    .toList();
            try {
                machines.add(new MachineSpec(
                        container.name(),
                        DockerHost.PROVIDER,
                        container.image().strip(),
                        container.cpus(),
                        container.memoryMb(),
                        nics,
                        List.of(),
                        new LinkedHashSet<>(List.of(container.roles())),
                        properties,
                        options));
            } catch (InvalidSpecException e) {
                e.problems().forEach(p -> misuses.value(render(label, p)));
            }
        }

        for (SshHost host : topology.existingHosts()) {
            String label = Labels.sshHost(host.name());
            labels.put("machine " + Problems.quote(host.name()), label);
            Map<String, String> properties = properties(host.properties(), label, misuses);
            checkCollect(host.collect(), label, misuses);
            try {
                machines.add(new MachineSpec(
                        host.name(),
                        SshHost.PROVIDER,
                        "",
                        1,
                        MachineSpec.MIN_MEMORY_MB,
                        List.of(),
                        List.of(),
                        new LinkedHashSet<>(List.of(host.roles())),
                        properties,
                        new ExistingHostOptions(List.of(host.requires()), List.of(host.segments()))));
            } catch (InvalidSpecException e) {
                e.problems().forEach(p -> misuses.value(render(label, p)));
            }
        }
        checkRevertOfExistingHosts(topology, misuses);
        List<LinkConstraint> links = links(topology.links(), labels, misuses);

        if (topology.machines().isEmpty()
                && topology.containers().isEmpty()
                && topology.existingHosts().isEmpty()) {
            misuses.value(Labels.prefix(name) + " declares an environment without machines; declare at least one "
                    + "with @VM on " + topology.testClass().getSimpleName() + ", a superclass or a meta-annotation");
        }
        EnvironmentSpec spec = null;
        try {
            spec = new EnvironmentSpec(name, networks, machines, links);
        } catch (InvalidSpecException e) {
            for (SpecProblem problem : e.problems()) {
                boolean noMachines = problem.attribute().equals("machines")
                        && problem.element().startsWith("environment");
                if (!noMachines) {
                    misuses.value(render(labels.getOrDefault(problem.element(), problem.element()), problem));
                }
            }
        }
        boolean clean = misuses.messages().size() == problemsBefore;
        return new Mapping(clean ? Optional.ofNullable(spec) : Optional.empty(), Map.copyOf(labels));
    }

    /**
     * Existing hosts are never snapshotted: a class whose only machines are existing hosts and whose {@code @Prefix}
     * asks for reverts asks for something that cannot happen.
     */
    private static void checkRevertOfExistingHosts(Topology topology, Misuses misuses) {
        Optional<Prefix> prefix = topology.prefix();
        if (topology.existingHosts().isEmpty()
                || !topology.machines().isEmpty()
                || !topology.containers().isEmpty()
                || prefix.isEmpty()
                || prefix.get().revert() == Revert.NEVER) {
            return;
        }
        String hosts = topology.existingHosts().stream()
                .map(h -> Labels.sshHost(h.name()))
                .collect(Collectors.joining(", "));
        misuses.value("@Prefix(revert = " + prefix.get().revert() + ") of "
                + topology.testClass().getSimpleName()
                + " asks for reverts, but its only machines are existing hosts (" + hosts + "), which are never "
                + "snapshotted or reverted; write @Prefix(revert = Revert.NEVER) (after each test Testbed still kills "
                + "the test's background jobs and restores the settings it changed on them), or put the state to "
                + "reset on a @VM or @DockerHost");
    }

    /**
     * The {@code @Link}s as constraints, each value parsed strictly; a problem names the annotation, the attribute and
     * the value. Groups and networks are checked later, against the machines, by the engine.
     */
    private static List<LinkConstraint> links(List<Link> declared, Map<String, String> labels, Misuses misuses) {
        List<LinkConstraint> links = new ArrayList<>();
        for (Link link : declared) {
            String label = Labels.link(link.from(), link.to());
            int before = misuses.messages().size();
            LinkConstraint.Builder builder = LinkConstraint.between(link.from(), link.to())
                    .network(link.network().strip())
                    .symmetric(link.symmetric());
            parse(link.delay(), builder::delay, label, misuses);
            parse(link.jitter(), builder::jitter, label, misuses);
            parse(link.loss(), builder::loss, label, misuses);
            parse(link.rate(), builder::rate, label, misuses);
            try {
                builder.except(link.except());
            } catch (IllegalArgumentException e) {
                misuses.value(label + " " + e.getMessage());
            }
            if (misuses.messages().size() != before) {
                continue;
            }
            try {
                LinkConstraint constraint = builder.build();
                labels.put(EnvironmentSpec.linkElement(constraint), label);
                links.add(constraint);
            } catch (IllegalArgumentException e) {
                misuses.value(label + " " + e.getMessage());
            }
        }
        return links;
    }

    /** An attribute left empty is not constrained; anything else must parse. */
    private static void parse(String value, java.util.function.Consumer<String> setter, String label, Misuses misuses) {
        if (value.isEmpty()) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            misuses.value(label + " " + e.getMessage());
        }
    }

    /** {@code env}, {@code command} and {@code capabilities} as typed options; misuses name those attributes. */
    private static ProviderOptions containerOptions(DockerHost container, String label, Misuses misuses) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : container.env()) {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                misuses.value(label + " env entry " + Labels.literal(entry) + " must be NAME=value");
                continue;
            }
            String name = entry.substring(0, equals).strip();
            if (env.containsKey(name)) {
                // the last one would win silently, hiding the first from whoever reads the annotation
                misuses.value(label + " env declares variable " + Labels.literal(name) + " twice");
                continue;
            }
            env.put(name, entry.substring(equals + 1));
        }
        Optional<String> command = container.command().isBlank() ? Optional.empty() : Optional.of(container.command());
        try {
            return new ContainerOptions(env, command, new LinkedHashSet<>(List.of(container.capabilities())), Set.of());
        } catch (InvalidSpecException e) {
            e.problems().forEach(p -> misuses.value(render(label, p)));
            return ProviderOptions.none();
        }
    }

    private static void checkCollect(String[] paths, String label, Misuses misuses) {
        for (String path : paths) {
            if (!path.startsWith("/")) {
                misuses.value(label + " collect path " + Labels.literal(path) + " must be absolute (start with /)");
            }
        }
    }

    private static Map<String, String> properties(String[] entries, String label, Misuses misuses) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                misuses.value(label + " properties entry " + Labels.literal(entry) + " must be key=value");
                continue;
            }
            String key = entry.substring(0, equals).strip();
            if (properties.put(key, entry.substring(equals + 1)) != null) {
                misuses.value(label + " properties declares key " + Labels.literal(key) + " twice");
            }
        }
        return properties;
    }

    static String render(String label, SpecProblem problem) {
        return label + (problem.attribute().isEmpty() ? "" : " " + problem.attribute()) + " " + problem.rule();
    }

    /**
     * A DNS label from a class name: {@code ClusterIT} → {@code cluster-it}, {@code HTTPServerTest} →
     * {@code http-server-test}, at most 31 characters.
     */
    static String deriveName(String simpleName) {
        String name = simpleName
                .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .replaceAll("([A-Z]+)([A-Z][a-z])", "$1-$2")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9-]+", "-")
                .replaceAll("-{2,}", "-")
                .replaceAll("^[^a-z]+", "");
        if (name.length() > 31) {
            name = name.substring(0, 31);
        }
        name = name.replaceAll("-+$", "");
        return name.isEmpty() ? "env" : name;
    }
}
