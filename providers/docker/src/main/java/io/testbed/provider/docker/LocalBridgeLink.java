package io.testbed.provider.docker;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.spi.NicPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Joins a running container to a host bridge that another provider created (a libvirt network, say): a veth pair
 * whose host end is enslaved to the bridge and whose other end is created directly inside the container's network
 * namespace with the planned MAC, then addressed there through {@code nsenter}. Needs root on the host (iproute2 and
 * util-linux). The pair disappears with the container's network namespace, so removing the container cleans up.
 */
@API(status = API.Status.INTERNAL)
public final class LocalBridgeLink {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private LocalBridgeLink() {}

    /**
     * The host end's name for NIC {@code nicIndex} of the container {@code containerName}: {@code tbv} plus ten hex
     * characters of a hash, within Linux's 15-character limit and stable across reverts.
     */
    public static String localInterface(String containerName, int nicIndex) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((containerName + "/" + nicIndex).getBytes(StandardCharsets.UTF_8));
            return "tbv" + HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Creates the pair and configures the container's end as {@code containerInterface} with the NIC's MAC,
     * address and MTU.
     *
     * @param pid          the container's main process, whose network namespace receives the inner end
     * @param defaultRoute whether the container's default route goes through this NIC to the network's gateway
     * @throws TestbedException naming the bridge and the failing step; nothing is left behind
     */
    static void join(long pid, String localInterface, NicPlan nic, String containerInterface, boolean defaultRoute) {
        String bridge = nic.bridge();
        if (!Files.isDirectory(Path.of("/sys/class/net", bridge, "bridge"))) {
            throw new TestbedException("Cannot join network '" + nic.network() + "': its host bridge " + bridge
                    + " does not exist. The provider that created the network must create it under the planned"
                    + " bridge name (NetworkPlan.bridgeName).");
        }
        remove(localInterface);
        List<String> add = new ArrayList<>(List.of("ip", "link", "add", localInterface));
        if (nic.mtu() > 0) {
            add.addAll(List.of("mtu", Integer.toString(nic.mtu())));
        }
        add.addAll(List.of("type", "veth", "peer", "name", containerInterface, "address", nic.mac()));
        if (nic.mtu() > 0) {
            add.addAll(List.of("mtu", Integer.toString(nic.mtu())));
        }
        add.addAll(List.of("netns", Long.toString(pid)));
        String what = "join the container (pid " + pid + ") to bridge " + bridge + " of network '" + nic.network()
                + "' (this needs root on the host)";
        LocalCommand.of(add).timeout(TIMEOUT).check(what);
        try {
            LocalCommand.of("ip", "link", "set", localInterface, "master", bridge, "up")
                    .timeout(TIMEOUT)
                    .check(what);
            String namespace = Long.toString(pid);
            LocalCommand.of(List.of(
                            "nsenter",
                            "-t",
                            namespace,
                            "-n",
                            "ip",
                            "address",
                            "add",
                            nic.address().getHostAddress() + "/" + nic.prefixLength(),
                            "dev",
                            containerInterface))
                    .timeout(TIMEOUT)
                    .check(what);
            LocalCommand.of(List.of("nsenter", "-t", namespace, "-n", "ip", "link", "set", containerInterface, "up"))
                    .timeout(TIMEOUT)
                    .check(what);
            if (defaultRoute) {
                LocalCommand.of(List.of(
                                "nsenter",
                                "-t",
                                namespace,
                                "-n",
                                "ip",
                                "route",
                                "replace",
                                "default",
                                "via",
                                nic.gateway().getHostAddress(),
                                "dev",
                                containerInterface))
                        .timeout(TIMEOUT)
                        .check(what);
            }
        } catch (TestbedException e) {
            remove(localInterface);
            throw e;
        }
    }

    /** Deletes the host end (and with it the pair) when it exists; never throws. */
    static void remove(String localInterface) {
        if (!Files.exists(Path.of("/sys/class/net", localInterface))) {
            return;
        }
        try {
            LocalCommand.of("ip", "link", "delete", localInterface)
                    .timeout(TIMEOUT)
                    .run();
        } catch (TestbedException ignored) {
            // gone with its namespace meanwhile, or ip is missing; the reaper of the network's owner cleans up
        }
    }

    /** Whether a host interface still exists (for tests and diagnostics). */
    static boolean exists(String localInterface) {
        return Files.exists(Path.of("/sys/class/net", localInterface));
    }
}
