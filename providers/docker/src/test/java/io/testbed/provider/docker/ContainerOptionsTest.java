package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerOptionsTest {

    private static MachineSpec machine(Map<String, String> properties) {
        return new MachineSpec("web", DockerProvider.NAME, "", 1, 128, List.of(), List.of(), Set.of(), properties);
    }

    @Test
    void withoutSettingsTheContainerGetsNetAdminAndTheDefaultMainProcess() {
        ContainerOptions options = ContainerOptions.of(machine(Map.of("role", "free-form")));
        assertThat(options.env()).isEmpty();
        assertThat(options.command()).isEmpty();
        assertThat(options.capAdd()).containsExactly("NET_ADMIN");
        assertThat(options.capDrop()).isEmpty();
    }

    @Test
    void settingsAreReadFromDockerProperties() {
        ContainerOptions options = ContainerOptions.of(machine(Map.of(
                "docker.env.GREETING", "hello world", "docker.env.EMPTY", "",
                "docker.command", "exec httpd -f -p 80",
                "docker.capAdd", "sys_admin, CAP_SYS_PTRACE", "docker.capDrop", "NET_RAW")));
        assertThat(options.env()).containsOnly(Map.entry("GREETING", "hello world"), Map.entry("EMPTY", ""));
        assertThat(options.envEntries()).contains("GREETING=hello world", "EMPTY=");
        assertThat(options.command()).isEqualTo(Optional.of("exec httpd -f -p 80"));
        assertThat(options.capAdd()).containsExactlyInAnyOrder("SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN");
        assertThat(options.capDrop()).containsExactly("NET_RAW");
        assertThat(options.capabilitiesToAdd()).hasSize(3);
    }

    @Test
    void droppingNetAdminIsHonoured() {
        ContainerOptions options = ContainerOptions.of(machine(Map.of("docker.capDrop", "NET_ADMIN")));
        assertThat(options.capAdd()).isEmpty();
        assertThat(options.capDrop()).containsExactly("NET_ADMIN");
    }

    @Test
    void everyBadSettingIsReportedWithTheMachineAndTheKey() {
        List<SpecProblem> problems = ContainerOptions.problems(machine(Map.of(
                "docker.env.1X", "v", "docker.command", " ", "docker.capAdd", "NET_ADMIN,TELEPORT",
                "docker.privileged", "true")));
        assertThat(problems).extracting(SpecProblem::element).containsOnly("machine 'web'");
        assertThat(problems).extracting(SpecProblem::toString).anySatisfy(p -> assertThat(p)
                        .contains("properties[docker.env.1X]").contains("[A-Za-z_][A-Za-z0-9_]*"))
                .anySatisfy(p -> assertThat(p).contains("properties[docker.command]").contains("must not be blank"))
                .anySatisfy(p -> assertThat(p).contains("properties[docker.capAdd]").contains("'TELEPORT'"))
                .anySatisfy(p -> assertThat(p).contains("properties[docker.privileged]")
                        .contains("docker.env.NAME, docker.command, docker.capAdd, docker.capDrop"));
        assertThat(problems).hasSize(4);
        assertThatThrownBy(() -> ContainerOptions.of(machine(Map.of("docker.capAdd", "TELEPORT"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TELEPORT");
    }
}
