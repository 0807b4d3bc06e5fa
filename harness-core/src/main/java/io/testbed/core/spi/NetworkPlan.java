package io.testbed.core.spi;

import io.testbed.core.TestNetwork;
import io.testbed.core.spec.NetworkSpec;
import java.net.InetAddress;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A network as planned: the declared spec plus the subnet leased for it and the object names.
 *
 * @param spec         the declaration
 * @param objectName   the provider object name, unique per prefix ({@code tb-<prefix8>-<name>})
 * @param bridgeName   the bridge's interface name (at most 15 characters)
 * @param cidr         the subnet, e.g. {@code 198.18.4.0/24}
 * @param gateway      the bridge's own address (.1), the machines' gateway
 * @param prefixLength the subnet's prefix length
 * @param members      the machines on it with their MAC and address, for DHCP host entries and DNS
 */
@API(status = API.Status.EXPERIMENTAL)
public record NetworkPlan(
        NetworkSpec spec,
        String objectName,
        String bridgeName,
        String cidr,
        InetAddress gateway,
        int prefixLength,
        List<Member> members) {

    public NetworkPlan {
        members = List.copyOf(members);
    }

    /** A machine's entry on the network (a DHCP host entry in libvirt's terms). */
    public record Member(String name, String mac, InetAddress address) {}

    /** The declared name. */
    public String name() {
        return spec.name();
    }

    /** The network as tests see it ({@link io.testbed.core.Environment#networks()}), on its planned bridge. */
    public TestNetwork testNetwork() {
        return new TestNetwork(name(), cidr, gateway, bridgeName);
    }
}
