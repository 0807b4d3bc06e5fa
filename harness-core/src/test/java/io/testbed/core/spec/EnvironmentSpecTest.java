package io.testbed.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvironmentSpecTest {

    static MachineSpec machine(String name, String... networks) {
        return new MachineSpec(name, "libvirt", "tiny", 1, 256, List.of(networks), List.of(), Set.of(), Map.of());
    }

    static List<SpecProblem> problems(Runnable build) {
        try {
            build.run();
        } catch (InvalidSpecException e) {
            return e.problems();
        }
        throw new AssertionError("expected InvalidSpecException");
    }

    @Test
    void validEnvironmentBuilds() {
        EnvironmentSpec spec = new EnvironmentSpec(
                "cluster", List.of(NetworkSpec.leased("lan")), List.of(machine("web", "lan"), machine("db", "lan")));
        assertThat(spec.machine("db").networks()).containsExactly("lan");
        assertThat(spec.network("lan").dhcp()).isTrue();
    }

    @Test
    void machineReportsEveryLocalProblemAtOnce() {
        assertThat(problems(() -> new MachineSpec(
                        "Web_1",
                        "",
                        "tiny",
                        0,
                        8,
                        List.of("lan", "lan"),
                        List.of(new DiskSpec("data", 1), new DiskSpec("data", 2)),
                        Set.of("Front"),
                        Map.of())))
                .extracting(SpecProblem::toString)
                .containsExactly(
                        "machine 'Web_1' name: must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label), was 'Web_1'",
                        "machine 'Web_1' provider: must not be blank",
                        "machine 'Web_1' cpus: must be between 1 and 64, was 0",
                        "machine 'Web_1' memoryMb: must be at least 32, was 8",
                        "machine 'Web_1' networks: lists network 'lan' twice",
                        "machine 'Web_1' disks: declares disk 'data' twice",
                        "machine 'Web_1' roles: role 'Front' must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label)");
    }

    @Test
    void diskSizeMustBePositive() {
        assertThat(problems(() -> new DiskSpec("data", 0)))
                .extracting(SpecProblem::toString)
                .containsExactly("disk 'data' sizeMb: must be between 1 and 1048576, was 0");
    }

    @Test
    void networkMtuOutOfRangeIsRejected() {
        assertThat(problems(() -> new NetworkSpec("lan", NetworkMode.ISOLATED, Optional.empty(), true, 100)))
                .extracting(SpecProblem::toString)
                .containsExactly("network 'lan' mtu: must be 0 (default) or between 576 and 9000, was 100");
    }

    @Test
    void crossReferencesAreCheckedTogether() {
        assertThat(problems(() -> new EnvironmentSpec(
                        "env",
                        List.of(NetworkSpec.leased("lan"), NetworkSpec.leased("lan")),
                        List.of(machine("web", "wan"), machine("web", "lan")))))
                .extracting(SpecProblem::toString)
                .containsExactly(
                        "network 'lan' name: is declared twice",
                        "machine 'web' networks: refers to unknown network 'wan'; declared networks: [lan]",
                        "machine 'web' name: is declared twice");
    }

    @Test
    void environmentNeedsAMachine() {
        assertThat(problems(() -> new EnvironmentSpec("empty", List.of(), List.of())))
                .extracting(SpecProblem::toString)
                .containsExactly("environment 'empty' machines: must declare at least one machine");
    }

    @Test
    void invalidSpecExceptionListsAllProblems() {
        assertThatThrownBy(() -> new EnvironmentSpec("Bad Name", List.of(), List.of()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("2 problems in the environment:" + System.lineSeparator()
                        + "  - environment 'Bad Name' name: must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label),"
                        + " was 'Bad Name'" + System.lineSeparator()
                        + "  - environment 'Bad Name' machines: must declare at least one machine");
    }
}
