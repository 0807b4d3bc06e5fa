package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.machine.TransportMachine;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.Transport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A container as a machine. Its name is the planned object name; its main process is a small {@code sh} loop that
 * stays alive, reaps orphans and exits on {@code SIGTERM} (unless the machine's {@code command} replaces it);
 * commands run through {@link ExecTransport}.
 *
 * <p>NICs: on Docker networks of this session the container gets the planned address through Docker's IPAM and the
 * planned MAC (Docker sets the MAC only for the first network before API 1.44, so the others are changed after the
 * start); on networks another provider created it is joined to the host bridge with a veth pair
 * ({@link LocalBridgeLink}). Docker names its interfaces {@code eth0…} in network order; joined ones follow.
 *
 * <p>Snapshots are {@code docker commit}s to labelled images; a revert kills the container (which frees its
 * addresses), renames it out of the way and removes it in the background, creates the container again from the
 * snapshot image with the same name, addresses and MACs, starts it and waits until it runs a command. Memory and
 * processes are not kept: the main process starts afresh.
 */
final class DockerMachine implements MachineResource {

    /** The default main process: stays alive, reaps orphans (ash's {@code wait} does), exits on TERM or INT. */
    static final String KEEP_ALIVE = "trap 'exit 0' TERM INT; while :; do sleep 86400 & wait $!; done";
    /** Repository of snapshot images; the container name follows. */
    static final String SNAPSHOT_REPOSITORY = "testbed-snapshot/";
    private static final Duration REVERT_READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_SLICE = Duration.ofSeconds(2);
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(15);
    private static final int STOP_TIMEOUT_SECONDS = 2;
    /** Removes retired containers while their successors start. */
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "testbed-docker-remove");
        thread.setDaemon(true);
        return thread;
    });
    private static final Pattern PLAIN_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}");

    private final DockerClient docker;
    private final ProviderContext context;
    private final MachinePlan plan;
    private final ContainerSettings options;
    private final String name;
    private final int cpus;
    private final List<NicPlan> dockerNics = new ArrayList<>();
    private final List<NicPlan> joinedNics = new ArrayList<>();
    private final ExecTransport transport;
    private final Object lifecycle = new Object();
    private final Map<String, String> snapshots = new LinkedHashMap<>(); // guarded by lifecycle
    private final List<String> committed = new ArrayList<>(); // guarded by lifecycle; oldest first
    private final List<String> retiredNames = new ArrayList<>(); // guarded by lifecycle
    private final List<CompletableFuture<Void>> removals = new ArrayList<>(); // guarded by lifecycle
    private volatile TransportMachine machine;

    private DockerMachine(DockerClient docker, ProviderContext context, MachinePlan plan, Set<String> dockerNetworks,
            int hostCpus) {
        this.docker = docker;
        this.cpus = Math.min(plan.spec().cpus(), Math.max(1, hostCpus));
        this.context = context;
        this.plan = plan;
        this.options = ContainerSettings.of(plan.spec());
        this.name = plan.objectName();
        for (NicPlan nic : plan.nics()) {
            (dockerNetworks.contains(nic.network()) ? dockerNics : joinedNics).add(nic);
        }
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
    static DockerMachine create(DockerClient docker, ProviderContext context, MachinePlan plan, String image,
            Set<String> dockerNetworks, int hostCpus) {
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
                .withNetworkMode(dockerNics.isEmpty() ? "none" : dockerNics.get(0).networkObject())
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
        if (!dockerNics.isEmpty()) {
            create.withIpv4Address(dockerNics.get(0).address().getHostAddress()).withMacAddress(dockerNics.get(0).mac());
        }
        DockerClients.call("create container " + name + " from image " + image, create::exec);
        for (NicPlan nic : laterDockerNics()) {
            DockerClients.run("connect container " + name + " to network " + nic.networkObject() + " as "
                    + nic.address().getHostAddress(), () -> docker.connectToNetworkCmd()
                    .withContainerId(name)
                    .withNetworkId(nic.networkObject())
                    .withContainerNetwork(new ContainerNetwork().withIpamConfig(
                            new ContainerNetwork.Ipam().withIpv4Address(nic.address().getHostAddress())))
                    .exec());
        }
    }

    @Override
    public String providerId() {
        return name;
    }

    @Override
    public void start() {
        DockerClients.run("start container " + name, () -> docker.startContainerCmd(name).exec());
        configureNics();
    }

    /** Sets the planned MACs Docker could not set and joins the other providers' bridges. */
    private void configureNics() {
        if (dockerNics.size() < 2 && joinedNics.isEmpty()) {
            return;
        }
        InspectContainerResponse inspect = inspect();
        long pid = inspect.getState().getPidLong() == null ? 0 : inspect.getState().getPidLong();
        if (pid <= 0) {
            throw new TestbedException("Container " + name + " has no main process to configure its network"
                    + " interfaces (state " + inspect.getState().getStatus() + ")");
        }
        Map<String, ContainerNetwork> networks = inspect.getNetworkSettings().getNetworks();
        for (NicPlan nic : laterDockerNics()) {
            ContainerNetwork endpoint = networks.get(nic.networkObject());
            String current = endpoint == null ? null : endpoint.getMacAddress();
            if (current == null) {
                throw new TestbedException("Container " + name + " is not attached to network " + nic.networkObject()
                        + " after its start; docker inspect " + name + " shows " + networks.keySet());
            }
            if (!current.equalsIgnoreCase(nic.mac())) {
                changeMac(pid, current, nic.mac());
            }
        }
        // Docker routes through the first non-internal (NAT) Docker network itself; otherwise the first joined NIC
        // on a NAT network carries the default route, as a VM's first NAT NIC does.
        boolean routed = dockerNics.stream().anyMatch(NicPlan::nat);
        for (int i = 0; i < joinedNics.size(); i++) {
            NicPlan nic = joinedNics.get(i);
            boolean defaultRoute = !routed && nic.nat();
            routed |= defaultRoute;
            LocalBridgeLink.join(pid, localInterface(nic), nic, "eth" + (dockerNics.size() + i), defaultRoute);
        }
    }

    /** The NICs on Docker networks after the first: connected after the create, their MAC changed after the start. */
    private List<NicPlan> laterDockerNics() {
        return dockerNics.isEmpty() ? List.of() : dockerNics.subList(1, dockerNics.size());
    }

    private String localInterface(NicPlan nic) {
        return LocalBridgeLink.localInterface(name, plan.nics().indexOf(nic));
    }

    /**
     * Changes an interface's MAC inside the container (the image's {@code ip} and {@code NET_ADMIN}, both there by
     * default); falls back to the host's {@code ip} in the container's namespace (needs root on the host).
     */
    private void changeMac(long pid, String from, String to) {
        String script = "for d in /sys/class/net/*; do [ \"$(cat \"$d/address\")\" = '" + from + "' ] || continue;"
                + " n=${d##*/}; ip link set dev \"$n\" down && ip link set dev \"$n\" address '" + to + "'"
                + " && ip link set dev \"$n\" up; exit $?; done; echo 'no interface has MAC " + from + "' >&2; exit 3";
        Transport.Outcome inside = transport.run(script, null, HELPER_TIMEOUT);
        if (!inside.timedOut() && inside.exitStatus() == 0) {
            return;
        }
        String namespace = Long.toString(pid);
        LocalCommand.Result links = LocalCommand.of("nsenter", "-t", namespace, "-n", "ip", "-o", "link", "show")
                .timeout(HELPER_TIMEOUT).run();
        String device = links.stdout().lines()
                .filter(line -> line.toLowerCase(java.util.Locale.ROOT).contains("link/ether " + from.toLowerCase(
                        java.util.Locale.ROOT)))
                .map(line -> line.split(":\\s+", 3)[1].replaceFirst("@.*", ""))
                .findFirst()
                .orElseThrow(() -> new TestbedException("Cannot set MAC " + to + " in container " + name + ": inside,"
                        + " exit " + inside.exitStatus() + " (" + inside.stderrText().strip() + "); on the host,"
                        + " no interface with MAC " + from + " in its namespace (" + links.stderr().strip() + "). The"
                        + " image needs 'ip' and the NET_ADMIN capability, or run the tests as root."));
        String what = "set MAC " + to + " on " + device + " in container " + name;
        for (List<String> step : List.of(List.of("down"), List.of("address", to), List.of("up"))) {
            List<String> argv = new ArrayList<>(List.of("nsenter", "-t", namespace, "-n", "ip", "link", "set", "dev",
                    device));
            argv.addAll(step);
            LocalCommand.of(argv).timeout(HELPER_TIMEOUT).check(what);
        }
    }

    @Override
    public Machine awaitReady(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        while (true) {
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
                    throw new TestbedException("Container " + name + " of machine '" + plan.name() + "' did not run"
                            + " a command within " + timeout.toSeconds() + " s (testbed.boot.timeout): "
                            + notYet.getMessage(), notYet);
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
        synchronized (lifecycle) {
            Map<String, String> labels = Labels.of(context.owner(), Labels.MACHINE, plan.name());
            labels.put(Labels.SNAPSHOT, snapshot);
            String image = DockerClients.call("commit container " + name + " as snapshot '" + snapshot + "'",
                    () -> docker.commitCmd(name)
                            .withRepository(SNAPSHOT_REPOSITORY + name)
                            .withTag(tag(snapshot))
                            .withLabels(labels)
                            .withPause(true)
                            .exec());
            snapshots.put(snapshot, image);
            committed.add(image);
        }
    }

    /**
     * Replaces the container with a new one from the snapshot image: same name, networks, addresses and MACs. Files
     * are as they were at the snapshot; processes and memory are not (the main process starts again).
     */
    @Override
    public void revert(String snapshot) {
        synchronized (lifecycle) {
            String image = snapshots.get(snapshot);
            if (image == null) {
                throw new IllegalArgumentException("Machine '" + plan.name() + "' has no snapshot '" + snapshot
                        + "'; its snapshots: " + snapshots.keySet());
            }
            long removing = System.nanoTime();
            transport.dropConnection();
            retireContainer();
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
            context.journal().record((time, env) -> new ResourceEvent.RevertPhases(time, env, plan.name(), snapshot,
                    phases));
        }
    }

    /**
     * Forgets a snapshot: its tag is removed at once; the image itself goes at teardown, since the running container
     * may have been created from it.
     */
    @Override
    public void deleteSnapshot(String snapshot) {
        synchronized (lifecycle) {
            if (snapshots.remove(snapshot) == null) {
                throw new IllegalArgumentException("Machine '" + plan.name() + "' has no snapshot '" + snapshot
                        + "'; its snapshots: " + snapshots.keySet());
            }
            String reference = SNAPSHOT_REPOSITORY + name + ":" + tag(snapshot);
            DockerClients.ifPresent("untag snapshot image " + reference, () -> {
                docker.removeImageCmd(reference).withForce(true).exec();
                return reference;
            });
        }
    }

    @Override
    public void pause() {
        DockerClients.run("pause container " + name, () -> docker.pauseContainerCmd(name).exec());
    }

    @Override
    public void resume() {
        DockerClients.run("unpause container " + name, () -> docker.unpauseContainerCmd(name).exec());
    }

    @Override
    public void stop() {
        DockerClients.ifPresent("stop container " + name, () -> {
            if (Boolean.TRUE.equals(docker.inspectContainerCmd(name).exec().getState().getPaused())) {
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
        List<String> retired;
        List<CompletableFuture<Void>> pending;
        synchronized (lifecycle) {
            retired = List.copyOf(retiredNames);
            pending = List.copyOf(removals);
            removals.clear();
        }
        pending.forEach(removal -> removal.handle((ok, failed) -> null).join());
        for (String container : retired) {
            try {
                removeContainer(container); // a no-op unless its background removal failed
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        joinedNics.forEach(nic -> LocalBridgeLink.remove(localInterface(nic)));
        List<String> images;
        synchronized (lifecycle) {
            images = new ArrayList<>(committed);
        }
        java.util.Collections.reverse(images);
        for (String image : images) {
            try {
                DockerClients.ifPresent("remove snapshot image " + image + " of container " + name, () -> {
                    docker.removeImageCmd(image).withForce(true).exec();
                    return image;
                });
                synchronized (lifecycle) {
                    committed.remove(image);
                }
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        if (!problems.isEmpty()) {
            TestbedException failure = new TestbedException("Could not remove everything of container " + name + ": "
                    + problems.get(0).getMessage(), problems.get(0));
            problems.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private void removeContainer() {
        removeContainer(name);
    }

    private void removeContainer(String container) {
        DockerClients.ifPresent("remove container " + container, () -> {
            docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec();
            return container;
        });
    }

    /**
     * Gets the current container out of the way of its successor quickly: killed (which frees its addresses),
     * renamed, and removed in the background; deleting its writable layer then overlaps the successor's start. Falls
     * back to removing it in place when it cannot be killed (not running) or renamed.
     */
    private void retireContainer() {
        String retired;
        synchronized (lifecycle) {
            retired = name + "-retired-" + (retiredNames.size() + 1);
        }
        try {
            docker.killContainerCmd(name).exec();
            docker.renameContainerCmd(name).withName(retired).exec();
        } catch (NotFoundException gone) {
            return;
        } catch (RuntimeException cannot) {
            removeContainer();
            return;
        }
        synchronized (lifecycle) {
            retiredNames.add(retired);
            removals.add(CompletableFuture.runAsync(() -> removeContainer(retired), BACKGROUND));
        }
    }

    private InspectContainerResponse inspect() {
        return DockerClients.call("inspect container " + name, () -> docker.inspectContainerCmd(name).exec());
    }

    /** The container's state and the tail of its log (what its main process wrote). Never throws. */
    @Override
    public String consoleTail(int lines) {
        StringBuilder text = new StringBuilder();
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(name).exec().getState();
            text.append("container ").append(name).append(": status ").append(state.getStatus())
                    .append(", exit code ").append(state.getExitCodeLong())
                    .append(Boolean.TRUE.equals(state.getOOMKilled()) ? ", OOM-killed" : "").append('\n');
            StringBuilder log = new StringBuilder();
            docker.logContainerCmd(name).withStdOut(true).withStdErr(true).withTail(lines)
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
                text.append(log.length() == 0 ? "(its main process wrote nothing)" : log.toString().stripTrailing());
            }
            return text.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return text.append("(interrupted while reading the log of container ").append(name).append(')').toString();
        } catch (RuntimeException e) {
            return text.append("(log of container ").append(name).append(" unavailable: ")
                    .append(DockerClients.rootMessage(e)).append(')').toString();
        }
    }

    /** A Docker tag for a snapshot name: the name itself when it is a valid tag, else a cleaned form plus a hash. */
    static String tag(String snapshot) {
        if (PLAIN_TAG.matcher(snapshot).matches()) {
            return snapshot;
        }
        String cleaned = snapshot.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0)) && cleaned.charAt(0) != '_') {
            cleaned = "_" + cleaned;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(snapshot.getBytes(StandardCharsets.UTF_8));
            return cleaned.substring(0, Math.min(cleaned.length(), 100)) + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
