package io.testbed.provider.docker;

import static io.testbed.provider.docker.DockerTestSupport.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.engine.Engine;
import io.testbed.core.engine.ProvisioningException;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input fails before anything is created; a failure during provisioning leaves nothing behind. */
class DockerFailureIT {

    @TempDir
    Path temp;

    @BeforeAll
    static void dockerClientReady() {
        DockerTestSupport.docker(); // the first client in a JVM costs ~1–2 s; measure the check, not that
    }

    @Test
    void aMissingImageFailsFastWithAClearErrorBeforeAnythingIsCreated() {
        Engine engine = DockerTestSupport.engine(temp);
        EnvironmentSpec spec = new EnvironmentSpec(
                "missing",
                List.of(NetworkSpec.leased("lan")),
                List.of(
                        container("ok", "lan"),
                        container("web", "testbed/no-such-image:1", ContainerOptions.defaults(), "lan")));

        long start = System.nanoTime();
        assertThatThrownBy(() -> engine.provision(spec, event -> {}))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("machine 'web'")
                .hasMessageContaining("testbed/no-such-image:1")
                .hasMessageContaining("never pulls")
                .hasMessageContaining("docker load");
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("[measure] missing image rejected after " + millis + " ms");
        assertThat(millis).as("fails fast, no pull-retry loop").isLessThan(2000);
        assertThat(DockerTestSupport.leftovers(temp, null)).isEmpty();
        assertThat(temp.resolve("prefixes")).doesNotExist();
    }

    @Test
    void badProviderSettingsAndDataDisksAreRejectedNamingEachProblem() {
        Engine engine = DockerTestSupport.engine(temp);
        MachineSpec bad = new MachineSpec(
                "web",
                DockerProvider.NAME,
                "",
                1,
                128,
                List.of(),
                List.of(new DiskSpec("data", 64)),
                Set.of(),
                Map.of(),
                ContainerOptions.defaults()
                        .withAddedCapabilities(Set.of("NET_ADMIN", "FLY"))
                        .withDroppedCapabilities(Set.of("TELEPORT")));

        assertThatThrownBy(() -> engine.provision(new EnvironmentSpec("bad", List.of(), List.of(bad)), event -> {}))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("disks")
                .hasMessageContaining("capabilities: names unknown capability 'FLY'")
                .hasMessageContaining("droppedCapabilities: names unknown capability 'TELEPORT'");
        assertThat(temp.resolve("prefixes")).doesNotExist();
    }

    @Test
    void aContainerThatStopsDuringProvisioningRollsEverythingBackAndShowsItsLog() throws IOException {
        Engine engine = DockerTestSupport.engine(temp);
        EnvironmentSpec spec = new EnvironmentSpec(
                "rollback",
                List.of(NetworkSpec.leased("lan")),
                List.of(
                        container("ok", "lan"),
                        container(
                                "dies",
                                "",
                                ContainerOptions.defaults().withCommand("echo giving up >&2; exit 3"),
                                "lan")));

        assertThatThrownBy(() -> engine.provision(spec, event -> {}))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("dies")
                .hasMessageContaining("giving up")
                .hasMessageContaining("exit code 3");
        assertThat(DockerTestSupport.leftovers(temp, null))
                .as("objects left after the rollback")
                .isEmpty();
        try (Stream<Path> prefixes = Files.list(temp.resolve("prefixes"))) {
            assertThat(prefixes.toList()).as("the prefix is kept for its logs").hasSize(1);
        }
    }
}
