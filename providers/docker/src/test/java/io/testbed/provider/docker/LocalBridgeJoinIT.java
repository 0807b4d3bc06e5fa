package io.testbed.provider.docker;

import static io.testbed.provider.docker.DockerTestSupport.container;
import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.journal.Journal;
import io.testbed.core.plan.AddressPlan;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container on a network another provider created: joined to that network's host bridge with a veth pair,
 * addressed and MAC'd as planned. The "other provider" is a plain Linux bridge this test creates on the planned
 * bridge name, with the gateway address, on a subnet leased from the host-wide store (as the engine would).
 * Driven at the provider level, because with only the Docker provider installed the engine gives every network to
 * Docker. The foreign network has outbound NAT and the Docker one is isolated, so the joined NIC carries the
 * container's default route. Also covers pause/resume and revert re-joining.
 */
class LocalBridgeJoinIT {

    @TempDir
    Path temp;

    private Prefix prefix;
    private AddressPlan plan;
    private NetworkPlan foreign;

    @BeforeEach
    void createForeignBridge() {
        prefix = Prefix.create(temp.resolve("prefixes"), "mixed");
        List<String> subnets = DockerTestSupport.leaseSubnets(temp, prefix, 2);
        EnvironmentSpec spec = new EnvironmentSpec(
                "mixed",
                List.of(
                        NetworkSpec.leased("dock"),
                        new NetworkSpec("vmnet", NetworkMode.NAT, Optional.empty(), true, 0)),
                List.of(container("box", "dock", "vmnet")));
        plan = AddressPlanner.plan(spec, prefix.id(), Map.of("dock", subnets.get(0), "vmnet", subnets.get(1)));
        foreign = plan.network("vmnet");
        String bridge = foreign.bridgeName();
        LocalCommand.of("ip", "link", "add", bridge, "type", "bridge")
                .timeout(Duration.ofSeconds(10))
                .check("create a test bridge");
        LocalCommand.of(List.of(
                        "ip",
                        "address",
                        "add",
                        foreign.gateway().getHostAddress() + "/" + foreign.prefixLength(),
                        "dev",
                        bridge))
                .timeout(Duration.ofSeconds(10))
                .check("address the test bridge");
        LocalCommand.of("ip", "link", "set", bridge, "up")
                .timeout(Duration.ofSeconds(10))
                .check("bring the test bridge up");
    }

    @AfterEach
    void removeForeignBridge() {
        if (foreign != null) {
            LocalCommand.of("ip", "link", "delete", foreign.bridgeName())
                    .timeout(Duration.ofSeconds(10))
                    .run();
        }
        DockerTestSupport.leaseStore(temp).release(prefix.id());
    }

    @Test
    void aContainerJoinsAnotherProvidersBridgeWithThePlannedAddressAndMac() throws Exception {
        MachinePlan box = plan.machine("box");
        NicPlan joined = box.nics().get(1);
        String hostEnd = LocalBridgeLink.localInterface(box.objectName(), 1);
        Owner owner = new Owner(
                prefix.id(), prefix.dir().toString(), ProcessHandle.current().pid());
        try (Journal journal = Journal.open(prefix.journalFile(), prefix.name())) {
            ProviderSession session = new DockerProvider()
                    .open(new ProviderContext(
                            prefix,
                            journal,
                            owner,
                            DockerTestSupport.config(temp).asMap()));
            var dockerNetwork = session.createNetwork(plan.network("dock"));
            MachineResource resource = session.createMachine(box);
            try {
                resource.start();
                Machine machine = resource.awaitReady(Duration.ofSeconds(60));

                assertThat(java.nio.file.Files.readString(Path.of("/sys/class/net", hostEnd, "master", "uevent")))
                        .contains("INTERFACE=" + foreign.bridgeName());
                assertThat(machine.run("cat /sys/class/net/eth1/address")
                                .stdout()
                                .strip())
                        .isEqualTo(joined.mac());
                assertThat(machine.run("ip -4 -o addr show dev eth1").stdout())
                        .contains(joined.address().getHostAddress() + "/24");
                machine.run("ping -c1 -W2 " + foreign.gateway().getHostAddress(), RunOptions.expectSuccess());
                String defaultRoute = "default via " + foreign.gateway().getHostAddress() + " dev eth1";
                assertThat(machine.run("ip route show default").stdout().strip())
                        .isEqualTo(defaultRoute);
                assertThat(machine.run("cat /sys/class/net/eth0/address")
                                .stdout()
                                .strip())
                        .isEqualTo(box.nics().get(0).mac());

                resource.pause();
                resource.resume();
                machine.run("echo kept > /root/f", RunOptions.expectSuccess());
                resource.snapshot("s");
                machine.run("rm /root/f", RunOptions.expectSuccess());
                long start = System.nanoTime();
                resource.revert("s");
                System.out.println("[measure] revert of one container joined to a foreign bridge: "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
                assertThat(machine.run("cat /root/f").stdout()).isEqualTo("kept\n");
                assertThat(machine.run("cat /sys/class/net/eth1/address")
                                .stdout()
                                .strip())
                        .isEqualTo(joined.mac());
                machine.run("ping -c1 -W2 " + foreign.gateway().getHostAddress(), RunOptions.expectSuccess());
                assertThat(machine.run("ip route show default").stdout().strip())
                        .isEqualTo(defaultRoute);
            } finally {
                resource.stop();
                resource.destroy();
                dockerNetwork.destroy();
                session.close();
            }
        }
        assertThat(LocalBridgeLink.exists(hostEnd))
                .as("host end " + hostEnd + " after destroy")
                .isFalse();
        assertThat(DockerTestSupport.leftovers(temp, prefix.id())).isEmpty();
    }
}
