package io.testbed.core.spi;

import io.testbed.core.spec.NetworkMode;
import java.net.InetAddress;
import org.apiguardian.api.API;

/**
 * One planned NIC of a machine.
 *
 * @param network        the declared network name
 * @param networkObject  the provider object name of that network (e.g. the libvirt network name)
 * @param bridge         the host bridge that carries the network, the same as its {@link NetworkPlan#bridgeName()}
 *                       whichever provider creates it, so a machine of another provider can join it at layer 2
 * @param mac            the deterministic MAC address, {@code 52:54:00:xx:xx:xx}
 * @param address        the machine's stable address on the network
 * @param prefixLength   the subnet's prefix length
 * @param gateway        the host-side gateway (.1)
 * @param mtu            the MTU, or 0 for the default
 * @param mode           how the network reaches the outside: a machine's first NIC on a {@link NetworkMode#NAT}
 *                       network carries its default route, via {@code gateway}, whichever provider runs the machine
 */
@API(status = API.Status.EXPERIMENTAL)
public record NicPlan(
        String network,
        String networkObject,
        String bridge,
        String mac,
        InetAddress address,
        int prefixLength,
        InetAddress gateway,
        int mtu,
        NetworkMode mode) {

    /** Whether the network has outbound NAT. */
    public boolean nat() {
        return mode == NetworkMode.NAT;
    }
}
