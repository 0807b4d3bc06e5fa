package io.testbed.core.prefix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.ExistingHostOptions;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec a prefix holds is read back through the type that writes it: writer and reader cannot disagree. */
class PrefixSpecTest {

    @TempDir
    Path temp;

    @Test
    void theProvidersOfTheWrittenSpecAreReadBackWhateverOptionsTheMachinesCarry() {
        Prefix prefix = Prefix.create(temp, "mixed");
        prefix.writeSpec(new EnvironmentSpec(
                "mixed",
                List.of(new NetworkSpec("lan", NetworkMode.ISOLATED, Optional.empty(), true, 0)),
                List.of(
                        machine("vm", "libvirt", List.of("lan"), null),
                        machine(
                                "box",
                                "docker",
                                List.of("lan"),
                                ContainerOptions.defaults().withEnv("A", "1")),
                        machine("lab", "ssh", List.of(), new ExistingHostOptions(List.of("cpus >= 2"), List.of())),
                        machine("vm2", "libvirt", List.of("lan"), null))));

        assertThat(prefix.declaredProviders()).containsExactly("libvirt", "docker", "ssh");
    }

    @Test
    void aPrefixWithoutASpecDeclaresNoProviderAndACutSpecIsAnError() throws Exception {
        Prefix prefix = Prefix.create(temp, "early");

        assertThat(prefix.declaredProviders()).isEmpty();

        Files.writeString(prefix.dir().resolve(Prefix.SPEC), "{\"machines\": [{\"name\": \"vm\", \"prov");
        assertThatThrownBy(prefix::declaredProviders)
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining(Prefix.SPEC);
    }

    private static MachineSpec machine(
            String name, String provider, List<String> networks, io.testbed.core.spec.ProviderOptions options) {
        return new MachineSpec(
                name, provider, "img", 1, 256, networks, List.<DiskSpec>of(), Set.of(), Map.of(), options);
    }
}
