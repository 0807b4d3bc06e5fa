package io.testbed.core.lease;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the host's IPv4 interface addresses with their prefix lengths, and on Linux the routing table from
 * {@code /proc/net/route} (a route to a subnet through a VPN is as much in use as an address). The default
 * route is ignored: it covers everything.
 */
final class SystemLocalSubnetProbe implements LocalSubnetProbe {

    private static final Logger LOG = LoggerFactory.getLogger(SystemLocalSubnetProbe.class);
    private static final Path ROUTES = Path.of("/proc/net/route");

    @Override
    public List<LocalSubnet> subnetsInUse() {
        List<LocalSubnet> used = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                    if (address.getAddress() instanceof Inet4Address v4) {
                        String cidr = v4.getHostAddress() + "/" + address.getNetworkPrefixLength();
                        used.add(new LocalSubnet(cidr, "address " + cidr + " on " + nic.getName(), nic.getName()));
                    }
                }
            }
        } catch (SocketException e) {
            LOG.warn(
                    "Cannot list the host's network interfaces ({}); leases may collide with host subnets",
                    e.toString());
        }
        used.addAll(routes(ROUTES));
        return used;
    }

    /** Parses a Linux {@code /proc/net/route}; empty when there is none. */
    static List<LocalSubnet> routes(Path file) {
        if (!Files.isReadable(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            LOG.debug("Cannot read {}: {}", file, e.toString());
            return List.of();
        }
        List<LocalSubnet> routes = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 8) {
                continue;
            }
            try {
                IPv4Address destination = new IPv4Address(kernelHex(fields[1]));
                Integer length = new IPv4Address(kernelHex(fields[7])).getBlockMaskPrefixLength(true);
                if (length == null || length == 0) {
                    continue;
                }
                IPAddress subnet = destination.toPrefixBlock(length);
                String cidr = Subnets.canonical(subnet);
                routes.add(new LocalSubnet(cidr, "route " + cidr + " dev " + fields[0], fields[0]));
            } catch (IllegalArgumentException e) {
                LOG.debug("Ignoring unparseable route line '{}': {}", line, e.toString());
            }
        }
        return routes;
    }

    /** The kernel prints a network-order address as a native int in hex; this returns its bytes in network order. */
    private static byte[] kernelHex(String hex) {
        return ByteBuffer.allocate(4)
                .order(ByteOrder.nativeOrder())
                .putInt(Integer.parseUnsignedInt(hex, 16))
                .array();
    }
}
