package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A container's NICs. On Docker networks of this session the container gets the planned address through Docker's
 * IPAM and the planned MAC (Docker sets the MAC only for the first network before API 1.44, so the others are
 * changed after the start); on networks another provider created it is joined to the host bridge with a veth pair
 * ({@link LocalBridgeLink}). Docker names its interfaces {@code eth0…} in network order; joined ones follow.
 */
final class ContainerNics {

    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(15);

    private final DockerClient docker;
    private final MachinePlan plan;
    private final String name;
    private final List<NicPlan> dockerNics = new ArrayList<>();
    private final List<NicPlan> joinedNics = new ArrayList<>();

    /** @param dockerNetworks the declared names of the networks this provider created */
    ContainerNics(DockerClient docker, MachinePlan plan, Set<String> dockerNetworks) {
        this.docker = docker;
        this.plan = plan;
        this.name = plan.objectName();
        for (NicPlan nic : plan.nics()) {
            (dockerNetworks.contains(nic.network()) ? dockerNics : joinedNics).add(nic);
        }
    }

    /** The container's network mode: its first Docker network, or {@code none}. */
    String networkMode() {
        return dockerNics.isEmpty() ? "none" : dockerNics.get(0).networkObject();
    }

    /** Gives the container to be created the first Docker network's planned address and MAC. */
    void onCreate(CreateContainerCmd create) {
        if (!dockerNics.isEmpty()) {
            create.withIpv4Address(dockerNics.get(0).address().getHostAddress())
                    .withMacAddress(dockerNics.get(0).mac());
        }
    }

    /** Connects the created container to its other Docker networks with their planned addresses. */
    void connectLaterNetworks() {
        for (NicPlan nic : laterDockerNics()) {
            DockerClients.run(
                    "connect container " + name + " to network " + nic.networkObject() + " as "
                            + nic.address().getHostAddress(),
                    () -> docker.connectToNetworkCmd()
                            .withContainerId(name)
                            .withNetworkId(nic.networkObject())
                            .withContainerNetwork(new ContainerNetwork()
                                    .withIpamConfig(new ContainerNetwork.Ipam()
                                            .withIpv4Address(nic.address().getHostAddress())))
                            .exec());
        }
    }

    /**
     * After the start: sets the planned MACs Docker could not set and joins the other providers' bridges.
     *
     * @param transport runs the MAC change inside the container
     */
    void configure(Transport transport) {
        if (dockerNics.size() < 2 && joinedNics.isEmpty()) {
            return;
        }
        InspectContainerResponse inspect = DockerClients.call(
                "inspect container " + name,
                () -> docker.inspectContainerCmd(name).exec());
        long pid =
                inspect.getState().getPidLong() == null ? 0 : inspect.getState().getPidLong();
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
                changeMac(transport, pid, current, nic.mac());
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

    /** Removes the host ends of the joined NICs. */
    void removeHostEnds() {
        joinedNics.forEach(nic -> LocalBridgeLink.remove(localInterface(nic)));
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
    private void changeMac(Transport transport, long pid, String from, String to) {
        String script = "for d in /sys/class/net/*; do [ \"$(cat \"$d/address\")\" = '" + from + "' ] || continue;"
                + " n=${d##*/}; ip link set dev \"$n\" down && ip link set dev \"$n\" address '" + to + "'"
                + " && ip link set dev \"$n\" up; exit $?; done; echo 'no interface has MAC " + from + "' >&2; exit 3";
        Transport.Outcome inside = transport.run(script, null, HELPER_TIMEOUT);
        if (!inside.timedOut() && inside.exitStatus() == 0) {
            return;
        }
        String namespace = Long.toString(pid);
        LocalCommand.Result links = LocalCommand.of("nsenter", "-t", namespace, "-n", "ip", "-o", "link", "show")
                .timeout(HELPER_TIMEOUT)
                .run();
        String device = links.stdout()
                .lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).contains("link/ether " + from.toLowerCase(Locale.ROOT)))
                .map(line -> line.split(":\\s+", 3)[1].replaceFirst("@.*", ""))
                .findFirst()
                .orElseThrow(() -> new TestbedException("Cannot set MAC " + to + " in container " + name + ": inside,"
                        + " exit " + inside.exitStatus() + " ("
                        + inside.stderrText().strip() + "); on the host,"
                        + " no interface with MAC " + from + " in its namespace ("
                        + links.stderr().strip() + "). The"
                        + " image needs 'ip' and the NET_ADMIN capability, or run the tests as root."));
        String what = "set MAC " + to + " on " + device + " in container " + name;
        for (List<String> step : List.of(List.of("down"), List.of("address", to), List.of("up"))) {
            List<String> argv =
                    new ArrayList<>(List.of("nsenter", "-t", namespace, "-n", "ip", "link", "set", "dev", device));
            argv.addAll(step);
            LocalCommand.of(argv).timeout(HELPER_TIMEOUT).check(what);
        }
    }
}
