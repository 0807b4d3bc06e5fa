package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Network;
import io.testbed.core.TestbedException;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apiguardian.api.API;

/**
 * Containers as machines, through Testcontainers and the docker-java client it provides. Machines get the same
 * {@link io.testbed.core.Machine} API as VMs ({@code run}, jobs, timeouts that kill, upload/download, settings,
 * {@code waitForPort}), built by {@link io.testbed.core.machine.TransportMachine} over Docker exec.
 *
 * <h2>Images: never pulled</h2>
 * A machine's {@code image} names a local image ({@code name:tag} or id). Testbed never contacts a registry: a
 * missing image is a validation error, before anything is created, naming the image and how to get it
 * ({@code docker load}, {@code docker import}, {@code docker build}); it is checked again when the container is
 * created. An empty image, or {@code tiny}, selects the built-in tiny image: the root file system of the
 * {@code tiny} VM template (busybox, iproute2, dropbear) imported as {@code testbed/tiny:<template cache key>} and
 * rebuilt only when that key changes. The image needs {@code /bin/sh}; commands that receive standard input (a
 * command with environment variables) also need {@code head}.
 *
 * <h2>Containers</h2>
 * The container is named after the planned object name ({@code tb-<prefix8>-<machine>}), has the machine's name as
 * hostname, {@code memoryMb} as memory limit and {@code cpus} as CPU limit. Its main process is a {@code sh} loop
 * that keeps the container alive, reaps orphaned processes and exits on {@code SIGTERM}. The Docker provider has no
 * data disks (no {@link Capability#DATA_DISKS}: the engine rejects a machine that declares disks).
 * {@code /proc/sys/net} is writable (network sysctls belong to the container's own network namespace), so
 * {@code setSysctl("net.…")} works and is restored; other sysctls and {@code /sys} stay read-only as Docker mounts
 * them, so {@code writeSysfs} fails there — change links with {@code ip} and {@code tc} instead.
 *
 * <h2>Container options</h2>
 * A machine's {@link io.testbed.core.spec.ContainerOptions} (typed, not machine properties, so none of them shows in
 * {@code Machine.properties()}):
 * <ul>
 *   <li>{@code env} — environment variables of the container (visible in {@code docker inspect}: not for secrets;
 *       pass those per command, which Testbed sends on standard input);</li>
 *   <li>{@code command} — the main process, run as {@code /bin/sh -c LINE} instead of the keep-alive loop; it must
 *       keep running;</li>
 *   <li>{@code addedCapabilities} — capabilities to add; {@code NET_ADMIN} is always added (restoring settings,
 *       {@code tc} and {@code ip} need it) unless listed in {@code droppedCapabilities};</li>
 *   <li>{@code droppedCapabilities} — capabilities to drop.</li>
 * </ul>
 * A capability name the Docker API does not know is a validation error.
 *
 * <h2>Networks</h2>
 * Networks this provider creates are Docker bridge networks on the subnet the engine leased, gateway {@code .1} on a
 * host bridge with the planned bridge name (as for libvirt), {@code internal} when isolated, masqueraded when NAT.
 * Containers get the planned addresses and MACs. A container on a network another provider created (a libvirt
 * network) is joined to that network's host bridge with a veth pair, addressed and MAC'd as planned
 * ({@link Capability#SHARED_L2}); that needs root on the host ({@code ip}, {@code nsenter}).
 *
 * <h2>Snapshots and reverts</h2>
 * A snapshot commits the container's file system to an image labelled with the owner; a revert removes the
 * container and creates it again from that image with the same name, networks, addresses and MACs, starts it and
 * waits until it runs a command. <strong>Memory and process state are not kept</strong>
 * ({@link Capability#DISK_SNAPSHOTS}): processes started by tests are gone after a revert and the main process
 * starts afresh. Volumes and tmpfs mounts are not part of the snapshot. Teardown removes the containers, the
 * networks and every image committed for the environment.
 *
 * <h2>Orphans</h2>
 * Every container, network and snapshot image carries the owner labels ({@code io.testbed.prefix.id},
 * {@code io.testbed.prefix.path}, {@code io.testbed.pid}). Testcontainers' Ryuk is not used;
 * {@link #reapOrphans} removes the objects whose owner is dead. The tiny image is shared and never reaped.
 *
 * <h2>Testcontainers configuration</h2>
 * Without a registry, Testcontainers needs these <em>environment variables</em> (it does not read them from a
 * class-path file): {@code TESTCONTAINERS_RYUK_DISABLED=true}, {@code TESTCONTAINERS_CHECKS_DISABLE=true}, and
 * {@code TESTCONTAINERS_HOST_OVERRIDE=localhost} when the tests run inside a container. A Docker engine that only
 * speaks API 1.41 (Docker 20.10) also needs {@code api.version=1.41} in a {@code docker-java.properties} file on
 * the class path (or {@code ~/.docker-java.properties}), since Testcontainers 2 defaults to API 1.44.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class DockerProvider implements Provider {

    /** The provider name used in specs. */
    public static final String NAME = ContainerOptions.PROVIDER;

    /** Creates the provider; it connects to Docker only when a session opens (or for validation and reaping). */
    public DockerProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.NETWORKS, Capability.DISK_SNAPSHOTS, Capability.PAUSE, Capability.SHARED_L2);
    }

    /**
     * Checks the container options' capability names, that Docker is reachable and that the image is in the local
     * engine (for the tiny image: that the tools to make it exist). Creates nothing.
     */
    @Override
    public List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
        List<SpecProblem> problems = new ArrayList<>(ContainerSettings.problems(machine));
        DockerClient docker;
        try {
            docker = DockerClients.client();
        } catch (TestbedException e) {
            problems.add(new SpecProblem(machine.element(), "provider", "docker: " + e.getMessage()));
            return problems;
        }
        if (TinyImage.isTiny(machine.image())) {
            // the image itself is made (or found) when the session creates the machine: validation creates nothing
            for (String tool : List.of("qemu-img", "debugfs")) {
                if (!onPath(tool)) {
                    problems.add(new SpecProblem(
                            machine.element(),
                            "image",
                            "the built-in tiny image is made with "
                                    + tool + ", which is not on the PATH; install "
                                    + (tool.equals("qemu-img") ? "qemu-utils" : "e2fsprogs")
                                    + " or name a local image"));
                }
            }
        } else {
            try {
                if (!Images.exists(docker, machine.image())) {
                    problems.add(new SpecProblem(machine.element(), "image", Images.notLocal(machine.image())));
                }
            } catch (TestbedException e) {
                problems.add(new SpecProblem(
                        machine.element(), "image", "cannot check image '" + machine.image() + "': " + e.getMessage()));
            }
        }
        return problems;
    }

    private static boolean onPath(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin:/usr/sbin:/sbin");
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        return new DockerSession(context);
    }

    /**
     * Removes the containers, networks and snapshot images labelled with an owner for which {@code isOrphan} holds,
     * in that order. Does nothing when Testcontainers finds no Docker engine (then there is nothing to leak).
     */
    /**
     * The Docker daemon this provider talks to ({@code DOCKER_HOST}, else Testcontainers' transport), normalised:
     * a run against a private daemon is reaped only by a reaper that talks to that daemon.
     */
    @Override
    public String endpoint(Map<String, String> configuration) {
        return DockerClients.normalised(DockerClients.endpoint());
    }

    @Override
    public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
        if (!DockerClients.available()) {
            if (DockerClients.installed()) {
                // a daemon that died leaves its socket: its dead runs' objects are still there, to be reaped later
                throw new TestbedException("Cannot reap orphaned containers and networks: the Docker daemon at "
                        + DockerClients.endpoint() + " does not answer. Start dockerd again and rerun the reaper"
                        + " (testbed janitor); until then the dead runs stay registered.");
            }
            return List.of(); // no Docker on this host: nothing of it to reap
        }
        DockerClient docker = DockerClients.client();
        List<String> reaped = new ArrayList<>();
        List<Container> containers = DockerClients.call(
                "list Testbed's containers",
                () -> docker.listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(List.of(Labels.PREFIX_ID))
                        .exec());
        for (Container container : containers) {
            Optional<Owner> owner = Labels.owner(container.getLabels()).filter(isOrphan);
            if (owner.isPresent()) {
                DockerClients.ifPresent("remove orphaned container " + container.getId(), () -> {
                    docker.removeContainerCmd(container.getId())
                            .withForce(true)
                            .withRemoveVolumes(true)
                            .exec();
                    return container;
                });
                reaped.add("docker container " + String.join(",", container.getNames()) + describe(owner.get()));
            }
        }
        List<Network> networks = DockerClients.call(
                "list Testbed's networks",
                () -> docker.listNetworksCmd()
                        .withFilter("label", List.of(Labels.PREFIX_ID))
                        .exec());
        for (Network network : networks) {
            Optional<Owner> owner = Labels.owner(network.getLabels()).filter(isOrphan);
            if (owner.isPresent()) {
                DockerNetwork.remove(docker, network.getId(), network.getName());
                reaped.add("docker network " + network.getName() + describe(owner.get()));
            }
        }
        List<Image> images = new ArrayList<>(DockerClients.call(
                "list Testbed's images",
                () -> docker.listImagesCmd()
                        .withShowAll(true)
                        .withLabelFilter(Labels.PREFIX_ID)
                        .exec()));
        images.sort(Comparator.comparing((Image image) -> image.getCreated() == null ? 0L : image.getCreated())
                .reversed());
        for (Image image : images) {
            Optional<Owner> owner = Labels.owner(image.getLabels()).filter(isOrphan);
            if (owner.isPresent()) {
                DockerClients.ifPresent("remove orphaned image " + image.getId(), () -> {
                    docker.removeImageCmd(image.getId()).withForce(true).exec();
                    return image;
                });
                String tags = image.getRepoTags() == null ? "" : " " + String.join(",", image.getRepoTags());
                reaped.add("docker image " + image.getId() + tags + describe(owner.get()));
            }
        }
        return reaped;
    }

    private static String describe(Owner owner) {
        return " of " + owner.prefixPath() + " (pid " + owner.pid() + ")";
    }
}
