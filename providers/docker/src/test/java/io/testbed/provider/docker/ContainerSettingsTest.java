package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.ProviderOptions;
import io.testbed.core.spec.SpecProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerSettingsTest {

    private static MachineSpec machine(ProviderOptions options) {
        return new MachineSpec(
                "web",
                DockerProvider.NAME,
                "",
                1,
                128,
                List.of(),
                List.of(),
                Set.of(),
                Map.of("role", "free-form"),
                options);
    }

    @Test
    void withoutOptionsTheContainerGetsNetAdminAndTheDefaultMainProcess() {
        ContainerSettings settings = ContainerSettings.of(machine(ProviderOptions.none()));
        assertThat(settings.envEntries()).isEmpty();
        assertThat(settings.command()).isEmpty();
        assertThat(settings.capAdd()).containsExactly("NET_ADMIN");
        assertThat(settings.capabilitiesToDrop()).isEmpty();
    }

    @Test
    void optionsAreAppliedAndNeverShownAsProperties() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GREETING", "hello world");
        env.put("EMPTY", "");
        MachineSpec machine = machine(new ContainerOptions(
                env, Optional.of("exec httpd -f -p 80"), Set.of("sys_admin", " CAP_SYS_PTRACE"), Set.of("NET_RAW")));
        ContainerSettings settings = ContainerSettings.of(machine);
        assertThat(settings.envEntries()).containsExactly("GREETING=hello world", "EMPTY=");
        assertThat(settings.command()).isEqualTo(Optional.of("exec httpd -f -p 80"));
        assertThat(settings.capAdd()).containsExactlyInAnyOrder("SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN");
        assertThat(settings.capabilitiesToAdd()).hasSize(3);
        assertThat(settings.capabilitiesToDrop()).extracting(Enum::name).containsExactly("NET_RAW");
        assertThat(ContainerSettings.problems(machine)).isEmpty();
        assertThat(machine.properties()).containsOnly(Map.entry("role", "free-form"));
    }

    @Test
    void droppingNetAdminIsHonoured() {
        ContainerSettings settings =
                ContainerSettings.of(machine(ContainerOptions.defaults().withDroppedCapabilities(Set.of("NET_ADMIN"))));
        assertThat(settings.capAdd()).isEmpty();
        assertThat(settings.capabilitiesToDrop()).extracting(Enum::name).containsExactly("NET_ADMIN");
    }

    @Test
    void unknownCapabilitiesAreReportedByTheUsersAttribute() {
        List<SpecProblem> problems = ContainerSettings.problems(machine(ContainerOptions.defaults()
                .withAddedCapabilities(Set.of("NET_ADMIN", "TELEPORT"))
                .withDroppedCapabilities(Set.of("FLY"))));
        assertThat(problems)
                .extracting(SpecProblem::toString)
                .containsExactly(
                        "machine 'web' capabilities: names unknown capability 'TELEPORT'; use Linux capability names such as "
                                + "NET_ADMIN, SYS_ADMIN",
                        "machine 'web' droppedCapabilities: names unknown capability 'FLY'; use Linux capability names such as "
                                + "NET_ADMIN, SYS_ADMIN");
    }

    @Test
    void badEnvironmentNamesAndBlankCommandsAreRejectedByTheOptionsThemselves() {
        assertThatThrownBy(() -> new ContainerOptions(Map.of("1X", "v"), Optional.of(" "), Set.of(), Set.of()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("container options env: variable name '1X' must match [A-Za-z_][A-Za-z0-9_]*")
                .hasMessageContaining("container options command: must not be blank");
    }

    @Test
    void containerOptionsOnAMachineOfAnotherProviderAreRejected() {
        assertThatThrownBy(() -> new MachineSpec(
                        "vm",
                        "libvirt",
                        "",
                        1,
                        128,
                        List.of(),
                        List.of(),
                        Set.of(),
                        Map.of(),
                        ContainerOptions.defaults()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("machine 'vm' options: are for provider 'docker', not for this machine's "
                        + "provider 'libvirt'");
    }
}
