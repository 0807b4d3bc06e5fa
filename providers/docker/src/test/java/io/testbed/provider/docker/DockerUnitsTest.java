package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pure parts: labels, snapshot tags, host interface names, host config, provider registration. */
class DockerUnitsTest {

    @Test
    void ownerLabelsRoundTripAndIncompleteOnesNameNoOwner() {
        Owner owner = new Owner("1a2b3c4d-0000-4000-8000-000000000000", "/tmp/prefixes/env-1a2b3c4d", 4242);
        Map<String, String> labels = Labels.of(owner, Labels.MACHINE, "web");
        assertThat(labels).containsEntry(Labels.MACHINE, "web").containsEntry(Labels.PID, "4242");
        assertThat(Labels.owner(labels)).contains(owner);

        Map<String, String> broken = new HashMap<>(labels);
        broken.put(Labels.PID, "not-a-pid");
        assertThat(Labels.owner(broken)).isEmpty();
        broken.remove(Labels.PREFIX_PATH);
        assertThat(Labels.owner(broken)).isEmpty();
        assertThat(Labels.owner(null)).isEmpty();
    }

    @Test
    void snapshotTagsAreTheNameWhenValidAndACleanedNamePlusHashOtherwise() {
        assertThat(ContainerSnapshots.tag("baseline")).isEqualTo("baseline");
        assertThat(ContainerSnapshots.tag("before-upgrade_2.1")).isEqualTo("before-upgrade_2.1");
        String odd = ContainerSnapshots.tag("after: step 2/3");
        assertThat(odd).matches("after__step_2_3-[0-9a-f]{8}");
        assertThat(ContainerSnapshots.tag("after: step 2/4")).isNotEqualTo(odd);
        assertThat(ContainerSnapshots.tag(".hidden")).matches("_\\.hidden-[0-9a-f]{8}");
        assertThat(ContainerSnapshots.tag("x".repeat(300))).hasSizeLessThanOrEqualTo(128);
    }

    @Test
    void hostInterfaceNamesFitLinuxAndDifferPerNic() {
        String first = LocalBridgeLink.localInterface("tb-1a2b3c4d-web", 0);
        assertThat(first).matches("tbv[0-9a-f]{10}").hasSizeLessThanOrEqualTo(15);
        assertThat(LocalBridgeLink.localInterface("tb-1a2b3c4d-web", 0)).isEqualTo(first);
        assertThat(LocalBridgeLink.localInterface("tb-1a2b3c4d-web", 1)).isNotEqualTo(first);
        assertThat(LocalBridgeLink.localInterface("tb-1a2b3c4d-db", 0)).isNotEqualTo(first);
    }

    @Test
    void theHostConfigLeavesOnlyNetworkSysctlsWritable() throws Exception {
        ContainerHostConfig config = ContainerHostConfig.netSysctlsWritable();
        assertThat(config.readonlyPaths())
                .contains(
                        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger", "/proc/sys/kernel", "/proc/sys/vm")
                .doesNotContain("/proc/sys", "/proc/sys/net");
        config.withNetworkMode("none");
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(config));
        assertThat(json.get("ReadonlyPaths")).isNotNull();
        assertThat(json.get("ReadonlyPaths").toString())
                .contains("/proc/sys/kernel")
                .doesNotContain("/proc/sys/net");
        assertThat(json.get("NetworkMode").asText()).isEqualTo("none");
    }

    @Test
    void theProviderIsFoundByServiceLoaderAndDeclaresItsCapabilities() {
        Optional<DockerProvider> found = ServiceLoader.load(io.testbed.core.spi.Provider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(DockerProvider.class::isInstance)
                .map(DockerProvider.class::cast)
                .findFirst();
        assertThat(found).isPresent();
        assertThat(found.get().name()).isEqualTo("docker");
        assertThat(found.get().capabilities())
                .containsExactlyInAnyOrder(
                        Capability.NETWORKS, Capability.DISK_SNAPSHOTS, Capability.PAUSE, Capability.SHARED_L2);
        assertThat(List.copyOf(found.get().capabilities())).doesNotContain(Capability.MEMORY_SNAPSHOTS);
    }

    @Test
    void oneDaemonHasOneEndpointWhateverTheSpelling(@TempDir Path temp) throws Exception {
        Path real = Files.createDirectory(temp.resolve("real"));
        Path link = Files.createSymbolicLink(temp.resolve("link"), real);
        assertThat(DockerClients.normalised("unix://" + link.resolve("docker.sock")))
                .isEqualTo(DockerClients.normalised("UNIX://" + real.resolve("docker.sock")))
                .isEqualTo("unix://" + real.toRealPath().resolve("docker.sock"));
        assertThat(DockerClients.normalised("unix:///tmp/gone-dir/./docker.sock"))
                .isEqualTo("unix:///tmp/gone-dir/docker.sock");
        assertThat(DockerClients.normalised("tcp://127.0.0.1:2375/")).isEqualTo("tcp://127.0.0.1:2375");
        assertThat(DockerClients.normalised("unix:///tmp/a.sock")).isNotEqualTo("unix:///tmp/b.sock");
    }
}
