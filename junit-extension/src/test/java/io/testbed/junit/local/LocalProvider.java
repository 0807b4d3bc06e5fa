package io.testbed.junit.local;

import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A unit-test double of the provider SPI whose machines are real local things that need no infrastructure: each
 * machine is a directory (its file system) in the prefix, commands run there with {@code sh -c}, background jobs
 * are real processes, snapshots are copies of the directory and a revert restores one (and kills the jobs started
 * since, as a memory snapshot would). Registered with {@code META-INF/services}; selected with
 * {@code testbed.provider.default=local}. Every call is recorded in {@link LocalRecorder}.
 *
 * <p>Failures can be injected per machine with the property {@code local.fail} = {@code create}, {@code start},
 * {@code ready}, {@code snapshot} or {@code revert}.
 */
public final class LocalProvider implements Provider {

    public static final String NAME = "local";
    static final List<String> TEMPLATES = List.of("local", "tiny");
    static final List<String> FAILURES = List.of("create", "start", "ready", "snapshot", "revert");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.NETWORKS, Capability.DATA_DISKS, Capability.DISK_SNAPSHOTS);
    }

    @Override
    public List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
        List<SpecProblem> problems = new ArrayList<>();
        if (!TEMPLATES.contains(machine.image())) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "template",
                    "names template " + Problems.quote(machine.image())
                            + " which provider local does not have; templates: " + TEMPLATES));
        }
        String fail = machine.properties().get("local.fail");
        if (fail != null && !FAILURES.contains(fail)) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "properties",
                    "local.fail must be one of " + FAILURES + ", was " + Problems.quote(fail)));
        }
        return problems;
    }

    /**
     * A machine with the property {@code local.choices=a,b} can be had in several ways: one choice per value, the
     * machine then carrying {@code local.choice=<value>} (so a class run once per match can be tested without hosts).
     */
    @Override
    public List<Choice> choices(EnvironmentSpec environment, ProviderContext context, int limit) {
        List<Choice> choices = new ArrayList<>();
        for (MachineSpec machine : environment.machines()) {
            String values = machine.properties().get("local.choices");
            if (values == null) {
                continue;
            }
            for (String value : values.split(",")) {
                if (choices.size() == limit) {
                    break;
                }
                Map<String, String> properties = new java.util.LinkedHashMap<>(machine.properties());
                properties.put("local.choice", value);
                MachineSpec chosen = new MachineSpec(
                        machine.name(),
                        machine.provider(),
                        machine.image(),
                        machine.cpus(),
                        machine.memoryMb(),
                        machine.networks(),
                        machine.disks(),
                        machine.roles(),
                        properties,
                        machine.options());
                List<MachineSpec> machines = environment.machines().stream()
                        .map(m -> m.name().equals(machine.name()) ? chosen : m)
                        .toList();
                choices.add(new Choice(
                        machine.name() + "=" + value,
                        new EnvironmentSpec(environment.name(), environment.networks(), machines)));
            }
            return choices;
        }
        return choices;
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        return new LocalSession(context);
    }

    /** Local machines are directories and child processes of this JVM: nothing outlives it to reap. */
    @Override
    public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
        return List.of();
    }
}
