package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shared plumbing of the Docker integration tests: a private prefix root, the host-wide lease store (so that two
 * builds on one host never hand the same subnet to two networks), specs, leftovers.
 */
final class DockerTestSupport {

    private DockerTestSupport() {}

    /** Configuration with prefixes under {@code temp} and the host-wide lease store every user shares. */
    static TestbedConfig config(Path temp) {
        return TestbedConfig.of(Map.of(
                TestbedConfig.PREFIX_ROOT,
                temp.resolve("prefixes").toString(),
                TestbedConfig.DEFAULT_PROVIDER,
                DockerProvider.NAME,
                TestbedConfig.PROGRESS,
                "false"));
    }

    /** An engine with only the Docker provider. */
    static Engine engine(Path temp) {
        return Engine.withProviders(config(temp), List.<Provider>of(new DockerProvider()));
    }

    /**
     * Leases {@code count} subnets from the host-wide store to {@code holder} (held by this JVM), for tests that
     * drive a provider below the engine and so must lease as the engine would. Release with
     * {@code leaseStore(temp).release(holder.id())}; a killed test JVM's leases are reclaimed as stale.
     */
    static List<String> leaseSubnets(Path temp, Prefix holder, int count) {
        Owner owner = new Owner(
                holder.id(), holder.dir().toString(), ProcessHandle.current().pid());
        return leaseStore(temp).acquire(owner, count).stream()
                .map(Lease::subnet)
                .toList();
    }

    /** The host-wide lease store as {@link #config} configures it. */
    static LeaseStore leaseStore(Path temp) {
        return LeaseStore.fromConfiguration(config(temp).asMap());
    }

    /** A container of the tiny image on {@code networks}. */
    static MachineSpec container(String name, String... networks) {
        return container(name, "", ContainerOptions.defaults(), networks);
    }

    /** A container of {@code image} with {@code options} on {@code networks}. */
    static MachineSpec container(String name, String image, ContainerOptions options, String... networks) {
        return new MachineSpec(
                name,
                DockerProvider.NAME,
                image,
                1,
                128,
                List.of(networks),
                List.<DiskSpec>of(),
                Set.of(),
                Map.of(),
                options);
    }

    /** The shared Docker client. */
    static DockerClient docker() {
        return DockerClients.client();
    }

    /**
     * Every container, network and image labelled with an owner whose prefix lies under {@code root} (or, with
     * {@code prefixId}, with that prefix), described for assertion messages.
     */
    static List<String> leftovers(Path root, String prefixId) {
        DockerClient docker = docker();
        String rootText = root.toAbsolutePath().toString();
        List<String> found = new ArrayList<>();
        docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(Labels.PREFIX_ID)).exec().stream()
                .filter(c -> matches(c.getLabels(), rootText, prefixId))
                .forEach(c -> found.add("container " + String.join(",", c.getNames()) + " " + c.getStatus()));
        docker.listNetworksCmd().withFilter("label", List.of(Labels.PREFIX_ID)).exec().stream()
                .filter(n -> matches(n.getLabels(), rootText, prefixId))
                .forEach(n -> found.add("network " + n.getName()));
        docker.listImagesCmd().withShowAll(true).withLabelFilter(Labels.PREFIX_ID).exec().stream()
                .filter(i -> matches(i.getLabels(), rootText, prefixId))
                .forEach(i -> found.add("image " + i.getId() + " " + java.util.Arrays.toString(i.getRepoTags())));
        return found;
    }

    private static boolean matches(Map<String, String> labels, String root, String prefixId) {
        if (labels == null) {
            return false;
        }
        if (prefixId != null) {
            return prefixId.equals(labels.get(Labels.PREFIX_ID));
        }
        String path = labels.get(Labels.PREFIX_PATH);
        return path != null && path.startsWith(root);
    }
}
