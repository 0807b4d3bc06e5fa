package io.testbed.provider.docker;

import com.github.dockerjava.api.model.Capability;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spec.SpecProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The container settings a machine declares in its properties (they are not fields of {@code MachineSpec} yet):
 * <ul>
 *   <li>{@value #ENV_PREFIX}{@code NAME=value} — an environment variable of the container (visible in
 *       {@code docker inspect}, so not for secrets);</li>
 *   <li>{@value #COMMAND}{@code =line} — the container's main process, run as {@code /bin/sh -c line} instead of
 *       the default keep-alive loop; it must keep running for the machine to stay usable;</li>
 *   <li>{@value #CAP_ADD}{@code =SYS_ADMIN,SYS_PTRACE} — Linux capabilities to add; {@code NET_ADMIN} is added
 *       always (restoring settings and network emulation need it) unless listed in {@value #CAP_DROP};</li>
 *   <li>{@value #CAP_DROP}{@code =NET_RAW} — capabilities to drop.</li>
 * </ul>
 * Other {@code docker.*} keys are errors (a typo must not be ignored); properties without the {@code docker.}
 * prefix are free-form and ignored here.
 *
 * @param env     the container environment, in declaration order
 * @param command the main process's shell command line, if any
 * @param capAdd  capabilities to add (names without {@code CAP_})
 * @param capDrop capabilities to drop (names without {@code CAP_})
 */
record ContainerOptions(Map<String, String> env, Optional<String> command, Set<String> capAdd, Set<String> capDrop) {

    /** Prefix of environment variable properties. */
    static final String ENV_PREFIX = "docker.env.";
    /** The main process's command line. */
    static final String COMMAND = "docker.command";
    /** Comma-separated capabilities to add. */
    static final String CAP_ADD = "docker.capAdd";
    /** Comma-separated capabilities to drop. */
    static final String CAP_DROP = "docker.capDrop";
    /** Added unless dropped: {@code tc}, {@code ip} and sysctl restores need it. */
    static final String DEFAULT_CAPABILITY = "NET_ADMIN";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    ContainerOptions {
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        capAdd = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(capAdd));
        capDrop = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(capDrop));
    }

    /** Every problem with the {@code docker.*} properties of {@code machine}. */
    static List<SpecProblem> problems(MachineSpec machine) {
        List<SpecProblem> problems = new ArrayList<>();
        parse(machine, problems);
        return problems;
    }

    /**
     * The options of a machine that passed {@link #problems}.
     *
     * @throws IllegalArgumentException naming the first problem when it did not
     */
    static ContainerOptions of(MachineSpec machine) {
        List<SpecProblem> problems = new ArrayList<>();
        ContainerOptions options = parse(machine, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0).toString());
        }
        return options;
    }

    private static ContainerOptions parse(MachineSpec machine, List<SpecProblem> problems) {
        Map<String, String> env = new LinkedHashMap<>();
        Optional<String> command = Optional.empty();
        Set<String> add = new LinkedHashSet<>();
        Set<String> drop = new LinkedHashSet<>();
        for (Map.Entry<String, String> property : new java.util.TreeMap<>(machine.properties()).entrySet()) {
            String key = property.getKey();
            String value = property.getValue();
            if (!key.startsWith("docker.")) {
                continue;
            }
            String attribute = "properties[" + key + "]";
            if (key.startsWith(ENV_PREFIX)) {
                String name = key.substring(ENV_PREFIX.length());
                if (!ENV_NAME.matcher(name).matches()) {
                    problems.add(new SpecProblem(machine.element(), attribute, "environment variable name "
                            + Problems.quote(name) + " must match [A-Za-z_][A-Za-z0-9_]*"));
                } else {
                    env.put(name, value);
                }
            } else if (key.equals(COMMAND)) {
                if (value.isBlank()) {
                    problems.add(new SpecProblem(machine.element(), attribute, "must not be blank; leave it out to"
                            + " keep the container alive with Testbed's default main process"));
                } else {
                    command = Optional.of(value);
                }
            } else if (key.equals(CAP_ADD)) {
                add.addAll(capabilities(machine, attribute, value, problems));
            } else if (key.equals(CAP_DROP)) {
                drop.addAll(capabilities(machine, attribute, value, problems));
            } else {
                problems.add(new SpecProblem(machine.element(), attribute, "is not a Docker provider setting; known: "
                        + ENV_PREFIX + "NAME, " + COMMAND + ", " + CAP_ADD + ", " + CAP_DROP));
            }
        }
        if (!drop.contains(DEFAULT_CAPABILITY)) {
            add.add(DEFAULT_CAPABILITY);
        }
        return new ContainerOptions(env, command, add, drop);
    }

    private static List<String> capabilities(MachineSpec machine, String attribute, String value,
            List<SpecProblem> problems) {
        List<String> names = new ArrayList<>();
        for (String raw : value.split(",")) {
            String name = raw.strip().toUpperCase(Locale.ROOT);
            if (name.startsWith("CAP_")) {
                name = name.substring(4);
            }
            if (name.isEmpty()) {
                continue;
            }
            try {
                Capability.valueOf(name);
                names.add(name);
            } catch (IllegalArgumentException unknown) {
                problems.add(new SpecProblem(machine.element(), attribute, "names unknown capability "
                        + Problems.quote(raw.strip()) + "; use Linux capability names such as NET_ADMIN, SYS_ADMIN"));
            }
        }
        return names;
    }

    /** {@link #capAdd} as docker-java capabilities. */
    Capability[] capabilitiesToAdd() {
        return capAdd.stream().map(Capability::valueOf).toArray(Capability[]::new);
    }

    /** {@link #capDrop} as docker-java capabilities. */
    Capability[] capabilitiesToDrop() {
        return capDrop.stream().map(Capability::valueOf).toArray(Capability[]::new);
    }

    /** {@link #env} as {@code NAME=value} entries. */
    List<String> envEntries() {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
