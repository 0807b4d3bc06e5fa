package io.testbed.core.spi;

import java.net.InetAddress;

/**
 * One planned NIC of a machine.
 *
 * @param network        the declared network name
 * @param networkObject  the provider object name of that network (e.g. the libvirt network name)
 * @param mac            the deterministic MAC address, {@code 52:54:00:xx:xx:xx}
 * @param address        the machine's stable address on the network
 * @param prefixLength   the subnet's prefix length
 * @param gateway        the host-side gateway (.1)
 * @param mtu            the MTU, or 0 for the default
 */
public record NicPlan(String network, String networkObject, String mac, InetAddress address, int prefixLength,
        InetAddress gateway, int mtu) {
}
