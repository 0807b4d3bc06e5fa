package io.testbed.provider.ssh;

import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.ExistingHostOptions;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/** The {@link MachineRequest}s an environment's existing-host machines make, from their specs. */
@API(status = API.Status.INTERNAL)
final class Requests {

    private Requests() {}

    /** The machines of this provider in {@code environment}, in declaration order. */
    static List<MachineSpec> machines(EnvironmentSpec environment) {
        return environment.machines().stream()
                .filter(m -> m.provider().equals(SshProvider.NAME))
                .toList();
    }

    /** What is wrong with one machine's spec for this provider; empty when it can be requested. */
    static List<SpecProblem> problems(MachineSpec machine) {
        List<SpecProblem> problems = new ArrayList<>();
        if (machine.options(ExistingHostOptions.class).isEmpty()) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "provider",
                    "is 'ssh', an existing host from the inventory: declare it with @SshHost (existing host "
                            + "options: requirements, segments), not as a VM or container"));
        }
        if (!machine.networks().isEmpty()) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "networks",
                    "lists " + machine.networks() + ", but an existing host cannot join a Testbed network: it keeps "
                            + "its own NICs; ask for NICs on shared segments (@SshHost segments) instead"));
        }
        if (!machine.disks().isEmpty()) {
            problems.add(
                    new SpecProblem(machine.element(), "disks", "an existing host gets no data disks; remove them"));
        }
        for (String requirement : options(machine).requirements()) {
            try {
                Requirement.parse(requirement);
            } catch (IllegalArgumentException e) {
                problems.add(new SpecProblem(machine.element(), "requires", e.getMessage()));
            }
        }
        return problems;
    }

    /**
     * The request of each machine; a machine whose host was fixed ({@link ExistingHostOptions#host()}) also requires
     * {@code hostname = <host>}.
     *
     * @throws IllegalArgumentException naming the machine and every malformed requirement
     */
    static List<MachineRequest> of(List<MachineSpec> machines) {
        List<MachineRequest> requests = new ArrayList<>();
        for (MachineSpec machine : machines) {
            ExistingHostOptions options = options(machine);
            List<String> requirements = new ArrayList<>(options.requirements());
            options.host().ifPresent(host -> requirements.add(0, "hostname = " + host));
            requests.add(MachineRequest.parse(machine.name(), requirements, machine.roles(), options.segments()));
        }
        return requests;
    }

    static ExistingHostOptions options(MachineSpec machine) {
        return machine.options(ExistingHostOptions.class)
                .orElseGet(() -> new ExistingHostOptions(List.of(), List.of()));
    }
}
