package io.testbed.core.lease;

import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import java.net.InetAddress;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Parsing and naming of IPv4 subnets in CIDR notation, shared by the pool, the lease store and the address
 * planner. All address math goes through the IPAddress library.
 */
@API(status = API.Status.INTERNAL)
public final class Subnets {

    /** Only plain dotted quads with a prefix length: no wildcards, ranges, or shortened inet_aton forms. */
    private static final IPAddressStringParameters STRICT = new IPAddressStringParameters.Builder()
            .allowEmpty(false)
            .allowAll(false)
            .allowSingleSegment(false)
            .allow_inet_aton(false)
            .setRangeOptions(RangeParameters.NO_RANGE)
            .toParams();

    private Subnets() {}

    /**
     * Parses {@code text} as an IPv4 subnet in CIDR notation whose host bits are zero.
     *
     * @return the subnet as a prefix block
     * @throws IllegalArgumentException whose message is the rule broken, phrased to follow the subject, e.g.
     *                                  {@code '198.18.4.1/24' has host bits set; did you mean 198.18.4.0/24?}
     */
    public static IPAddress parse(String text) {
        Optional<String> problem = problem(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return new IPAddressString(text.strip(), STRICT).getAddress();
    }

    /** The rule {@code text} breaks as a CIDR subnet (see {@link #parse}), or empty when it is one. */
    public static Optional<String> problem(String text) {
        if (text == null || text.isBlank()) {
            return Optional.of("must be an IPv4 subnet in CIDR notation, e.g. 198.18.4.0/24, was "
                    + (text == null ? "null" : "'" + text + "'"));
        }
        IPAddressString string = new IPAddressString(text.strip(), STRICT);
        IPAddress address = string.getAddress();
        if (address == null) {
            return Optional.of("'" + text + "' is not an IPv4 subnet in CIDR notation, e.g. 198.18.4.0/24");
        }
        if (!address.isIPv4()) {
            return Optional.of("'" + text + "' is IPv6; only IPv4 subnets are supported, e.g. 198.18.4.0/24");
        }
        if (address.getNetworkPrefixLength() == null) {
            return Optional.of(
                    "'" + text + "' has no prefix length; write it in CIDR notation, e.g. " + address + "/24");
        }
        if (!address.isSinglePrefixBlock()) {
            return Optional.of("'" + text + "' has host bits set; did you mean " + address.toPrefixBlock() + "?");
        }
        return Optional.empty();
    }

    /** The canonical text of a subnet, e.g. {@code 198.18.4.0/24}. */
    public static String canonical(IPAddress subnet) {
        return subnet.toPrefixBlock().toCanonicalString();
    }

    /** The canonical text of the subnet {@code text}, e.g. {@code 198.18.4.0/24} for {@code 198.18.4.0/255.255.255.0}. */
    public static String canonical(String text) {
        return canonical(parse(text));
    }

    /**
     * The address with host number {@code host} in {@code subnet} (1 is the first host), or empty when the
     * subnet has no such usable host (the network and broadcast addresses are not usable).
     */
    public static Optional<InetAddress> host(IPAddress subnet, long host) {
        if (host < 1) {
            return Optional.empty();
        }
        IPAddress network = subnet.getLower().withoutPrefixLength();
        IPAddress broadcast = subnet.getUpper().withoutPrefixLength();
        if (network.equals(broadcast) || host >= subnet.getCount().longValueExact() - 1) {
            return Optional.empty();
        }
        return Optional.of(network.increment(host).toInetAddress());
    }

    /** The highest usable host number of {@code subnet} (0 for a /31 or /32). */
    public static long lastHostNumber(IPAddress subnet) {
        return Math.max(0, subnet.getCount().longValueExact() - 2);
    }

    /**
     * The longest prefix length whose subnets have a usable host number {@code host}, e.g. 28 for host 12.
     */
    public static int longestPrefixFor(IPAddress anyAddress, long host) {
        for (int length = anyAddress.getBitCount(); length > 0; length--) {
            if (lastHostNumber(anyAddress.toPrefixBlock(length)) >= host) {
                return length;
            }
        }
        return 0;
    }
}
