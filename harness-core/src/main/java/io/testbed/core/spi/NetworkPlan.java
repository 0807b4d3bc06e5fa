package io.testbed.core.spi;

import io.testbed.core.TestNetwork;
import io.testbed.core.spec.NetworkSpec;
import java.net.InetAddress;
import java.util.List;

/**
 * A network as planned: the declared spec plus the subnet leased for it and the object names.
 *
 * @param spec         the declaration
 * @param objectName   the provider object name, unique per prefix ({@code tb-<prefix8>-<name>})
 * @param bridgeName   a host bridge name of at most 15 characters
 * @param cidr         the subnet, e.g. {@code 198.18.4.0/24}
 * @param gateway      the host-side address (.1)
 * @param prefixLength the subnet's prefix length
 * @param hosts        the machines on it with their MAC and address, for DHCP host entries and DNS
 */
public record NetworkPlan(NetworkSpec spec, String objectName, String bridgeName, String cidr, InetAddress gateway,
        int prefixLength, List<Host> hosts) {

    public NetworkPlan {
        hosts = List.copyOf(hosts);
    }

    /** A machine's entry on the network. */
    public record Host(String name, String mac, InetAddress address) {}

    /** The declared name. */
    public String name() {
        return spec.name();
    }

    /** The network as tests see it ({@link io.testbed.core.Environment#networks()}), on its planned bridge. */
    public TestNetwork testNetwork() {
        return new TestNetwork(name(), cidr, gateway, bridgeName);
    }
}
