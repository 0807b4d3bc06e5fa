package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One environment's use of the Docker engine: the networks it created (a machine's other networks belong to other
 * providers and are joined through their host bridges) and the tiny image, resolved once. Thread-safe.
 */
final class DockerSession implements ProviderSession {

    private final ProviderContext context;
    private final DockerClient docker;
    private final Map<String, DockerNetwork> networks = new ConcurrentHashMap<>();
    private String tinyImage; // guarded by this
    private int hostCpus; // guarded by this

    DockerSession(ProviderContext context) {
        this.context = context;
        this.docker = DockerClients.client();
    }

    @Override
    public NetworkResource createNetwork(NetworkPlan plan) {
        DockerNetwork network = DockerNetwork.create(docker, plan, context.owner());
        networks.put(plan.name(), network);
        return network;
    }

    @Override
    public MachineResource createMachine(MachinePlan plan) {
        return DockerMachine.create(
                docker, context, plan, image(plan.spec()), Set.copyOf(networks.keySet()), hostCpus());
    }

    /** The engine's CPU count: a container's CPU limit cannot exceed it (a VM's vCPUs can). */
    private synchronized int hostCpus() {
        if (hostCpus == 0) {
            Integer cpus = DockerClients.call(
                    "read the engine's CPU count", () -> docker.infoCmd().exec().getNCPU());
            hostCpus = cpus == null || cpus < 1 ? Runtime.getRuntime().availableProcessors() : cpus;
        }
        return hostCpus;
    }

    /** The local image a machine runs: its own, or the tiny image (imported on first use). */
    String image(MachineSpec machine) {
        return TinyImage.isTiny(machine.image()) ? tinyImage() : machine.image();
    }

    private synchronized String tinyImage() {
        if (tinyImage == null) {
            tinyImage = context.journal()
                    .step(
                            "image " + TinyImage.REPOSITORY,
                            "image.resolve",
                            () -> TinyImage.ensure(
                                    docker,
                                    context.configuration(),
                                    line -> context.journal()
                                            .record((time, env) -> new HostEvent.ImageProgress(
                                                    time, env, TinyImage.REPOSITORY, line))),
                            (time, env, image, took) ->
                                    new HostEvent.ImageResolved(time, env, TinyImage.REPOSITORY, image, took));
        }
        return tinyImage;
    }

    /** Nothing to release: the Docker client is Testcontainers' shared one. */
    @Override
    public void close() {}
}
