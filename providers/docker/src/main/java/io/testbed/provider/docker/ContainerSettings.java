package io.testbed.provider.docker;

import com.github.dockerjava.api.model.Capability;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spec.SpecProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A container machine's {@link ContainerOptions} as this provider applies them: {@value #DEFAULT_CAPABILITY} is
 * added unless the machine drops it (restoring settings, {@code tc} and {@code ip} need it), and every capability
 * name must be one the Docker API knows.
 *
 * @param options the machine's options ({@link ContainerOptions#defaults()} when it declares none)
 */
record ContainerSettings(ContainerOptions options) {

    /** Added unless dropped: {@code tc}, {@code ip} and sysctl restores need it. */
    static final String DEFAULT_CAPABILITY = "NET_ADMIN";

    /** The settings of {@code machine}, whose options may be absent. */
    static ContainerSettings of(MachineSpec machine) {
        return new ContainerSettings(machine.options(ContainerOptions.class).orElseGet(ContainerOptions::defaults));
    }

    /** Every capability {@code machine} names that the Docker API does not know, by the user's attribute. */
    static List<SpecProblem> problems(MachineSpec machine) {
        ContainerOptions options = of(machine).options();
        List<SpecProblem> problems = new ArrayList<>();
        unknown(machine, "capabilities", options.addedCapabilities(), problems);
        unknown(machine, "droppedCapabilities", options.droppedCapabilities(), problems);
        return problems;
    }

    private static void unknown(MachineSpec machine, String attribute, Set<String> names, List<SpecProblem> problems) {
        for (String name : names) {
            try {
                Capability.valueOf(name);
            } catch (IllegalArgumentException unknown) {
                problems.add(new SpecProblem(
                        machine.element(),
                        attribute,
                        "names unknown capability " + Problems.quote(name)
                                + "; use Linux capability names such as NET_ADMIN, SYS_ADMIN"));
            }
        }
    }

    /** The main process's shell command line, if the machine replaces the keep-alive loop. */
    Optional<String> command() {
        return options.command();
    }

    /** The capabilities to add: the declared ones plus {@value #DEFAULT_CAPABILITY} unless dropped. */
    Set<String> capAdd() {
        Set<String> add = new LinkedHashSet<>(options.addedCapabilities());
        if (!options.droppedCapabilities().contains(DEFAULT_CAPABILITY)) {
            add.add(DEFAULT_CAPABILITY);
        }
        return add;
    }

    /** {@link #capAdd} as docker-java capabilities (names checked by {@link #problems}). */
    Capability[] capabilitiesToAdd() {
        return capAdd().stream().map(Capability::valueOf).toArray(Capability[]::new);
    }

    /** The dropped capabilities as docker-java capabilities. */
    Capability[] capabilitiesToDrop() {
        return options.droppedCapabilities().stream().map(Capability::valueOf).toArray(Capability[]::new);
    }

    /** The environment as {@code NAME=value} entries. */
    List<String> envEntries() {
        return options.env().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toList();
    }
}
