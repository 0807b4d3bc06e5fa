package io.testbed.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.MachineSpec;
import io.testbed.junit.DockerHost;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How {@code @DockerHost}'s container attributes become typed options rather than machine properties. */
class SpecMapperTest {

    @DockerHost(
            name = "api",
            env = {"MODE=test", "EMPTY="},
            command = "exec httpd -f",
            capabilities = "sys_admin",
            properties = "tier=web")
    static class Container {}

    @DockerHost(
            name = "api",
            env = {"1X=v", "OK=1"})
    static class BadEnvName {}

    @Test
    void containerAttributesBecomeTypedOptionsAndOnlyDeclaredPropertiesStayProperties() {
        Misuses misuses = new Misuses();
        SpecMapper.Mapping mapping =
                SpecMapper.map(Topology.of(Container.class), TestbedConfig.defaultConfig(), misuses);
        assertThat(misuses.messages()).isEmpty();
        MachineSpec api = mapping.spec().orElseThrow().machines().get(0);
        assertThat(api.properties()).containsOnly(Map.entry("tier", "web"));
        ContainerOptions options = api.options(ContainerOptions.class).orElseThrow();
        assertThat(options.env()).containsExactly(Map.entry("MODE", "test"), Map.entry("EMPTY", ""));
        assertThat(options.command()).isEqualTo(Optional.of("exec httpd -f"));
        assertThat(options.addedCapabilities()).containsExactly("SYS_ADMIN");
        assertThat(options.droppedCapabilities()).isEmpty();
    }

    @Test
    void aBadEnvironmentNameIsReportedAgainstTheEnvAttribute() {
        Misuses misuses = new Misuses();
        SpecMapper.Mapping mapping =
                SpecMapper.map(Topology.of(BadEnvName.class), TestbedConfig.defaultConfig(), misuses);
        assertThat(mapping.spec()).isEmpty();
        assertThat(misuses.messages())
                .containsExactly(
                        "@DockerHost(name = \"api\") env variable name '1X' must match [A-Za-z_][A-Za-z0-9_]*");
    }
}
