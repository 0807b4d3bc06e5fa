package io.testbed.reliability;

import inet.ipaddr.IPAddress;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.lease.Subnets;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Docker daemon of the test's own, so that it can be killed without touching the host's: its own socket, data root,
 * exec root (and so its own containerd, started by it under the exec root), pid file and empty configuration file;
 * a default bridge of its own ({@code tbd…}, created here on a subnet leased from the host-wide store for as long as
 * the daemon lives), no iptables rules (the host daemon owns those chains) and no default address pools (Testbed's
 * networks bring their leased subnets; nothing of 172.16/12 is ever used). Neither {@code --bridge none} nor
 * {@code --default-address-pool} may be given: dockerd deletes the interface named {@code docker0} — the host's — when
 * it starts with the first, and when it restarts on a data root holding a default network with the second. The directories live under a short path in {@code /tmp}: the
 * containerd socket path inside the exec root must stay under the 108 bytes of a Unix socket address.
 *
 * <p>{@link #close()} removes what a failed test may have left in it, stops it and its containerd and shims, unmounts
 * and deletes its directories and releases the lease, whatever state it is in.
 */
final class PrivateDockerd implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final LeaseStore leases;
    private final Lease bridgeSubnet;
    private final String bridge;
    private Process daemon;

    private PrivateDockerd(Path dir, LeaseStore leases, Lease bridgeSubnet) {
        this.dir = dir;
        this.leases = leases;
        this.bridgeSubnet = bridgeSubnet;
        this.bridge = "tbd" + Integer.toHexString(dir.getFileName().toString().hashCode());
    }

    /** Starts a daemon whose bridge subnet lease is held by a prefix under {@code run} (not a census root). */
    static PrivateDockerd start(Path run, TestbedConfig config) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "tbd-");
        Prefix holder = Prefix.create(Files.createDirectories(run.resolve("dockerd-lease")), "dockerd");
        LeaseStore leases = LeaseStore.fromConfiguration(config.asMap());
        Lease bridgeSubnet = leases.acquire(
                        new Owner(
                                holder.id(),
                                holder.dir().toString(),
                                ProcessHandle.current().pid()),
                        1)
                .get(0);
        PrivateDockerd dockerd = new PrivateDockerd(dir, leases, bridgeSubnet);
        try {
            Files.writeString(dir.resolve("daemon.json"), "{}\n"); // not the host's /etc/docker/daemon.json
            dockerd.createBridge();
            dockerd.start();
            return dockerd;
        } catch (IOException | RuntimeException e) {
            dockerd.close();
            throw e;
        }
    }

    /** {@code unix://…/docker.sock}: what {@code DOCKER_HOST} must say to reach this daemon. */
    String host() {
        return "unix://" + dir.resolve("docker.sock");
    }

    /** The environment a process needs to use this daemon (Testcontainers and the docker command read it). */
    Map<String, String> environment() {
        return Map.of("DOCKER_HOST", host());
    }

    /** The directory holding the daemon's socket, roots and log. */
    Path dir() {
        return dir;
    }

    /** Starts the daemon (again, after {@link #kill()}: same data root, so it finds what it held) and waits for it. */
    void start() throws IOException {
        List<String> command = List.of(
                "dockerd",
                "--host",
                host(),
                "--data-root",
                dir.resolve("data").toString(),
                "--exec-root",
                dir.resolve("exec").toString(),
                "--pidfile",
                dir.resolve("dockerd.pid").toString(),
                "--config-file",
                dir.resolve("daemon.json").toString(),
                "--bridge",
                bridge,
                "--iptables=false",
                "--ip-masq=false",
                "--userland-proxy=false",
                "--log-level",
                "warn");
        daemon = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("dockerd.log").toFile()))
                .start();
        Deadline deadline = Deadline.after(START_TIMEOUT);
        while (!docker("version").succeeded()) {
            if (!daemon.isAlive() || deadline.expired()) {
                throw new IllegalStateException("the private dockerd did not answer on " + host() + " (exit "
                        + (daemon.isAlive() ? "none yet" : daemon.exitValue()) + "); its log:\n"
                        + LocalCommand.tail(log()));
            }
            sleep(200);
        }
    }

    /** The daemon's default bridge, addressed with the first host of its leased subnet. */
    private void createBridge() {
        IPAddress subnet = Subnets.parse(bridgeSubnet.subnet());
        String gateway = Subnets.host(subnet, 1)
                .orElseThrow(() -> new IllegalStateException("no first host in " + subnet))
                .getHostAddress();
        ip("link", "add", "name", bridge, "type", "bridge");
        ip("addr", "add", gateway + "/" + subnet.getNetworkPrefixLength(), "dev", bridge);
        ip("link", "set", bridge, "up");
    }

    private static void ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        LocalCommand.Result result =
                LocalCommand.of(command).timeout(Duration.ofSeconds(30)).run();
        if (!result.succeeded()) {
            throw new IllegalStateException(
                    String.join(" ", command) + " failed: " + result.stdout() + result.stderr());
        }
    }

    /** SIGKILLs the daemon (its containerd, shims and containers live on, as with a crashed dockerd) and waits. */
    void kill() throws InterruptedException {
        daemon.destroyForcibly();
        if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the private dockerd (pid " + daemon.pid() + ") survived SIGKILL");
        }
    }

    /** Whether the daemon process runs. */
    boolean alive() {
        return daemon != null && daemon.isAlive();
    }

    /** Runs the docker command against this daemon. */
    LocalCommand.Result docker(String... arguments) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", host()));
        command.addAll(List.of(arguments));
        return LocalCommand.of(command).timeout(Duration.ofSeconds(60)).run();
    }

    /** The daemon's log so far. */
    String log() {
        try {
            return Files.readString(dir.resolve("dockerd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        try {
            if (alive()) {
                // what a failed test left: containers first, then their networks (whose bridges would outlive us)
                String containers = docker("ps", "-aq").stdout().strip();
                if (!containers.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(containers.lines().toList());
                    docker(rm.toArray(String[]::new));
                }
                docker("network", "prune", "-f");
                daemon.destroy(); // SIGTERM: dockerd stops its containerd
                if (!daemon.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                }
            }
            killLeftovers();
            unmountAll();
            deleteTree(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LocalCommand.of("ip", "link", "del", bridge)
                    .timeout(Duration.ofSeconds(30))
                    .run();
            leases.release(bridgeSubnet);
        }
    }

    /** containerd and its shims name the exec root on their command lines: those are ours, killed by pid. */
    private void killLeftovers() throws InterruptedException {
        List<ProcessHandle> ours = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .toList();
        ours.forEach(ProcessHandle::destroyForcibly);
        Deadline deadline = Deadline.after(Duration.ofSeconds(20));
        while (ours.stream().anyMatch(ProcessHandle::isAlive) && !deadline.expired()) {
            sleep(100);
        }
    }

    /** Unmounts what the daemon mounted under its roots (overlays, shm, netns), deepest first. */
    private void unmountAll() {
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mounts"))) {
            List<String> ours = mounts.map(line -> line.split(" ")[1])
                    .filter(point -> point.startsWith(dir.toString()))
                    .sorted(Comparator.reverseOrder())
                    .toList();
            for (String point : ours) {
                LocalCommand.of("umount", "-l", point)
                        .timeout(Duration.ofSeconds(30))
                        .run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (Files.exists(root)) {
            LocalCommand.of("rm", "-rf", "--one-file-system", root.toString())
                    .timeout(Duration.ofMinutes(2))
                    .run();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
