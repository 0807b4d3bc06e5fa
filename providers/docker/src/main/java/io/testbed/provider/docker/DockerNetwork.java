package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import io.testbed.core.TestNetwork;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.Owner;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Docker bridge network on the planned (leased) subnet: gateway {@code .1} on the host bridge, which carries
 * the planned bridge name ({@code com.docker.network.bridge.name}) so host tools see the same name as for
 * libvirt's networks. Isolated networks are {@code internal} (no route out, no masquerading); NAT networks are
 * not. Labelled with the owner.
 */
final class DockerNetwork implements NetworkResource {

    /** Docker's bridge driver option that names the host bridge. */
    static final String BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
    /** Docker's bridge driver option that sets the MTU. */
    static final String MTU_OPTION = "com.docker.network.driver.mtu";

    private final DockerClient docker;
    private final NetworkPlan plan;
    private final String id;

    private DockerNetwork(DockerClient docker, NetworkPlan plan, String id) {
        this.docker = docker;
        this.plan = plan;
        this.id = id;
    }

    /** Creates the network; nothing is left behind when Docker refuses. */
    static DockerNetwork create(DockerClient docker, NetworkPlan plan, Owner owner) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(BRIDGE_NAME_OPTION, plan.bridgeName());
        if (plan.spec().mtu() > 0) {
            options.put(MTU_OPTION, Integer.toString(plan.spec().mtu()));
        }
        Network.Ipam ipam = new Network.Ipam()
                .withDriver("default")
                .withConfig(new Network.Ipam.Config()
                        .withSubnet(plan.cidr())
                        .withGateway(plan.gateway().getHostAddress()));
        String id = DockerClients.call(
                "create network " + plan.objectName() + " on " + plan.cidr() + " (bridge " + plan.bridgeName()
                        + "); if the subnet or bridge is in use, run the reaper or remove the leftover",
                () -> docker.createNetworkCmd()
                        .withName(plan.objectName())
                        .withDriver("bridge")
                        .withInternal(plan.spec().mode() == NetworkMode.ISOLATED)
                        .withIpam(ipam)
                        .withOptions(options)
                        .withCheckDuplicate(true)
                        .withLabels(Labels.of(owner, Labels.NETWORK, plan.name()))
                        .exec()
                        .getId());
        return new DockerNetwork(docker, plan, id);
    }

    @Override
    public String providerId() {
        return id;
    }

    @Override
    public TestNetwork network() {
        return plan.testNetwork();
    }

    /** The plan this network was created from. */
    NetworkPlan plan() {
        return plan;
    }

    @Override
    public void destroy() {
        remove(docker, id, plan.objectName());
    }

    /** Removes a network by id; nothing when it is gone already. */
    static void remove(DockerClient docker, String id, String name) {
        DockerClients.ifPresent(
                "remove network " + name + " (are containers still attached? docker network inspect " + name + ")",
                () -> {
                    docker.removeNetworkCmd(id).exec();
                    return id;
                });
    }
}
