package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.machine.TransportMachine;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.ProviderContext;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A container as a machine. Its name is the planned object name; its main process is a small {@code sh} loop that
 * stays alive, reaps orphans and exits on {@code SIGTERM} (unless the machine's {@code command} replaces it);
 * commands run through {@link ExecTransport}; its NICs are {@link ContainerNics}.
 *
 * <p>Snapshots are {@code docker commit}s to labelled images ({@link ContainerSnapshots}); a revert kills the
 * container (which frees its addresses), renames it out of the way and removes it in the background, creates the
 * container again from the snapshot image with the same name, addresses and MACs, starts it and waits until it runs
 * a command. Memory and processes are not kept: the main process starts afresh.
 */
final class DockerMachine implements MachineResource {

    /** The default main process: stays alive, reaps orphans (ash's {@code wait} does), exits on TERM or INT. */
    static final String KEEP_ALIVE = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";

    private static final Duration REVERT_READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_SLICE = Duration.ofSeconds(2);
    private static final int STOP_TIMEOUT_SECONDS = 2;

    private final DockerClient docker;
    private final ProviderContext context;
    private final MachinePlan plan;
    private final ContainerSettings options;
    private final String name;
    private final int cpus;
    private final ContainerNics nics;
    private final ContainerSnapshots snapshots;
    private final ExecTransport transport;
    private volatile TransportMachine machine;

    private DockerMachine(
            DockerClient docker, ProviderContext context, MachinePlan plan, Set<String> dockerNetworks, int hostCpus) {
        this.docker = docker;
        this.cpus = Math.min(plan.spec().cpus(), Math.max(1, hostCpus));
        this.context = context;
        this.plan = plan;
        this.options = ContainerSettings.of(plan.spec());
        this.name = plan.objectName();
        this.nics = new ContainerNics(docker, plan, dockerNetworks);
        this.snapshots = new ContainerSnapshots(docker, context.owner(), plan.name(), name);
        this.transport = new ExecTransport(docker, name);
    }

    /**
     * Creates the container (not started) from a local image, attached to its Docker networks.
     *
     * @param dockerNetworks the declared names of the networks this provider created; the machine's other networks
     *                       are joined through their host bridges
     * @param hostCpus       the engine's CPU count; the CPU limit is {@code cpus}, at most this
     * @throws TestbedException when the image is not local (never pulled) or Docker refuses; nothing is left behind
     */
    static DockerMachine create(
            DockerClient docker,
            ProviderContext context,
            MachinePlan plan,
            String image,
            Set<String> dockerNetworks,
            int hostCpus) {
        Images.requireLocal(docker, image);
        DockerMachine created = new DockerMachine(docker, context, plan, dockerNetworks, hostCpus);
        try {
            created.createContainer(image);
        } catch (RuntimeException e) {
            try {
                created.removeContainer();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return created;
    }

    private void createContainer(String image) {
        HostConfig host = ContainerHostConfig.netSysctlsWritable()
                .withNetworkMode(nics.networkMode())
                .withCapAdd(options.capabilitiesToAdd())
                .withCapDrop(options.capabilitiesToDrop())
                .withMemory((long) plan.spec().memoryMb() << 20)
                .withNanoCPUs(cpus * 1_000_000_000L);
        CreateContainerCmd create = docker.createContainerCmd(image)
                .withName(name)
                .withHostName(plan.name())
                .withLabels(Labels.of(context.owner(), Labels.MACHINE, plan.name()))
                .withEnv(options.envEntries())
                .withEntrypoint("/bin/sh", "-c")
                .withCmd(options.command().orElse(KEEP_ALIVE))
                .withHostConfig(host);
        nics.onCreate(create);
        DockerClients.call("create container " + name + " from image " + image, create::exec);
        nics.connectLaterNetworks();
    }

    @Override
    public String providerId() {
        return name;
    }

    @Override
    public void start() {
        DockerClients.run(
                "start container " + name, () -> docker.startContainerCmd(name).exec());
        nics.configure(transport);
    }

    @Override
    public Machine awaitReady(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                // the engine stops a sibling's wait when another machine failed: end it, do not spin to the timeout
                throw new TestbedException("machine '" + plan.name() + "' stopped waiting for its boot: interrupted");
            }
            InspectContainerResponse.ContainerState state = inspect().getState();
            if (!Boolean.TRUE.equals(state.getRunning())) {
                throw new TestbedException("Container " + name + " of machine '" + plan.name() + "' is not running"
                        + " (status " + state.getStatus() + ", exit code " + state.getExitCodeLong()
                        + (Boolean.TRUE.equals(state.getOOMKilled()) ? ", killed for exceeding memoryMb" : "")
                        + (state.getError() == null || state.getError().isBlank() ? "" : ", " + state.getError())
                        + "); its main process must keep running — check the machine's command and the log below");
            }
            try {
                transport.awaitReady(deadline.attemptTimeout(READY_SLICE));
                break;
            } catch (TestbedException notYet) {
                if (deadline.expired()) {
                    throw new TestbedException(
                            "Container " + name + " of machine '" + plan.name() + "' did not run"
                                    + " a command within " + timeout.toSeconds() + " s (testbed.boot.timeout): "
                                    + notYet.getMessage(),
                            notYet);
                }
            }
        }
        TransportMachine ready = machine;
        if (ready == null) {
            Map<String, InetAddress> addresses = new LinkedHashMap<>();
            plan.nics().forEach(nic -> addresses.put(nic.network(), nic.address()));
            ready = TransportMachine.builder(plan.name(), transport)
                    .roles(plan.spec().roles())
                    .properties(plan.spec().properties())
                    .addresses(addresses)
                    .journal(context.journal())
                    .build();
            machine = ready;
        }
        return ready;
    }

    /** Commits the container's file system to a labelled image (the container is paused meanwhile). */
    @Override
    public void snapshot(String snapshot) {
        snapshots.commit(snapshot);
    }

    /**
     * Replaces the container with a new one from the snapshot image: same name, networks, addresses and MACs. Files
     * are as they were at the snapshot; processes and memory are not (the main process starts again).
     */
    @Override
    public void revert(String snapshot) {
        synchronized (snapshots) {
            String image = snapshots.image(snapshot);
            long removing = System.nanoTime();
            transport.dropConnection();
            snapshots.retireContainer();
            long creating = System.nanoTime();
            createContainer(image);
            long starting = System.nanoTime();
            start();
            long waiting = System.nanoTime();
            awaitReady(REVERT_READY_TIMEOUT);
            long done = System.nanoTime();
            Map<String, Duration> phases = new LinkedHashMap<>();
            phases.put("remove", Duration.ofNanos(creating - removing));
            phases.put("create", Duration.ofNanos(starting - creating));
            phases.put("start", Duration.ofNanos(waiting - starting));
            phases.put("ready", Duration.ofNanos(done - waiting));
            context.journal()
                    .record((time, env) -> new ResourceEvent.RevertPhases(time, env, plan.name(), snapshot, phases));
        }
    }

    /**
     * Forgets a snapshot: its tag is removed at once; the image itself goes at teardown, since the running container
     * may have been created from it.
     */
    @Override
    public void deleteSnapshot(String snapshot) {
        snapshots.forget(snapshot);
    }

    @Override
    public void pause() {
        DockerClients.run(
                "pause container " + name, () -> docker.pauseContainerCmd(name).exec());
    }

    @Override
    public void resume() {
        DockerClients.run(
                "unpause container " + name,
                () -> docker.unpauseContainerCmd(name).exec());
    }

    @Override
    public void stop() {
        DockerClients.ifPresent("stop container " + name, () -> {
            if (Boolean.TRUE.equals(
                    docker.inspectContainerCmd(name).exec().getState().getPaused())) {
                docker.unpauseContainerCmd(name).exec();
            }
            try {
                docker.stopContainerCmd(name).withTimeout(STOP_TIMEOUT_SECONDS).exec();
            } catch (NotModifiedException alreadyStopped) {
                // nothing to do
            }
            return name;
        });
    }

    /** Removes the container, any host end of a joined NIC, and every image committed for it. Idempotent. */
    @Override
    public void destroy() {
        List<RuntimeException> problems = new ArrayList<>();
        TransportMachine live = machine;
        if (live != null) {
            live.close();
        } else {
            transport.close();
        }
        try {
            removeContainer();
        } catch (RuntimeException e) {
            problems.add(e);
        }
        problems.addAll(snapshots.removeAll());
        nics.removeHostEnds();
        if (!problems.isEmpty()) {
            TestbedException failure = new TestbedException(
                    "Could not remove everything of container " + name + ": "
                            + problems.get(0).getMessage(),
                    problems.get(0));
            problems.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private void removeContainer() {
        DockerClients.removeContainer(docker, name);
    }

    private InspectContainerResponse inspect() {
        return DockerClients.call(
                "inspect container " + name,
                () -> docker.inspectContainerCmd(name).exec());
    }

    /** The container's state and the tail of its log (what its main process wrote). Never throws. */
    @Override
    public String consoleTail(int lines) {
        StringBuilder text = new StringBuilder();
        try {
            InspectContainerResponse.ContainerState state =
                    docker.inspectContainerCmd(name).exec().getState();
            text.append("container ")
                    .append(name)
                    .append(": status ")
                    .append(state.getStatus())
                    .append(", exit code ")
                    .append(state.getExitCodeLong())
                    .append(Boolean.TRUE.equals(state.getOOMKilled()) ? ", OOM-killed" : "")
                    .append('\n');
            StringBuilder log = new StringBuilder();
            docker.logContainerCmd(name)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(lines)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            synchronized (log) {
                                log.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                            }
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
            synchronized (log) {
                text.append(
                        log.length() == 0
                                ? "(its main process wrote nothing)"
                                : log.toString().stripTrailing());
            }
            return text.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return text.append("(interrupted while reading the log of container ")
                    .append(name)
                    .append(')')
                    .toString();
        } catch (RuntimeException e) {
            return text.append("(log of container ")
                    .append(name)
                    .append(" unavailable: ")
                    .append(DockerClients.rootMessage(e))
                    .append(')')
                    .toString();
        }
    }
}
