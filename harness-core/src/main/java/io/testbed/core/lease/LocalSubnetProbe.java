package io.testbed.core.lease;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Tells which subnets the local machine (the one that runs the tests and the hypervisor; "host" in Testbed
 * means a machine under test) already uses, so that the {@link LeaseStore} never leases one of them (e.g.
 * {@code docker0} at 198.19.255.0/24, or another tool's bridge or VPN route inside the pool). Called outside the
 * store's lock, once per acquisition; must be thread-safe. Replaceable in unit tests.
 */
@API(status = API.Status.INTERNAL)
@FunctionalInterface
public interface LocalSubnetProbe {

    /** The subnets in use on the local machine now; an implementation that cannot tell returns what it knows. */
    List<LocalSubnet> subnetsInUse();

    /**
     * A subnet the local machine uses.
     *
     * @param cidr   the subnet, e.g. {@code 198.19.255.0/24} (host bits may be set: {@code 198.19.255.1/24})
     * @param source what uses it, for messages, e.g. {@code address 198.19.255.1/24 on docker0}
     * @param device the network interface that carries it, e.g. {@code docker0}; null when unknown
     */
    record LocalSubnet(String cidr, String source, String device) {

        /** A subnet whose interface is unknown. */
        public LocalSubnet(String cidr, String source) {
            this(cidr, source, null);
        }
    }

    /** The real local machine: addresses of every interface ({@link java.net.NetworkInterface}) and, on Linux, routes. */
    static LocalSubnetProbe system() {
        return new SystemLocalSubnetProbe();
    }

    /** A probe that reports nothing in use. */
    static LocalSubnetProbe none() {
        return List::of;
    }
}
