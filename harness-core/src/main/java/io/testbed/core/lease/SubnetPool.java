package io.testbed.core.lease;

import inet.ipaddr.IPAddress;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.SpecProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * The range Testbed leases subnets from: a pool CIDR (default {@value #DEFAULT_CIDR}, the RFC 2544 benchmarking
 * range, which collides with no office or home network) cut into subnets of one prefix length (default
 * /{@value #DEFAULT_SUBNET_LENGTH}, so 512 subnets). Immutable and thread-safe.
 *
 * <p>Configured with {@value #POOL_KEY} and {@value #SUBNET_LENGTH_KEY}. A pool must be IPv4, must not overlap
 * the private (RFC 1918), shared (RFC 6598), loopback, link-local, multicast or reserved ranges, and its subnets
 * must be between the pool's own length and /{@value #MAX_SUBNET_LENGTH}.
 */
@API(status = API.Status.INTERNAL)
public final class SubnetPool {

    /** Configuration key of the pool CIDR. */
    public static final String POOL_KEY = TestbedConfig.LEASE_POOL;
    /** Configuration key of the prefix length of leased subnets. */
    public static final String SUBNET_LENGTH_KEY = TestbedConfig.LEASE_SUBNET_LENGTH;
    /** The default pool. */
    public static final String DEFAULT_CIDR = "198.18.0.0/15";
    /** The default prefix length of leased subnets. */
    public static final int DEFAULT_SUBNET_LENGTH = 24;
    /** The longest prefix length of leased subnets: a /29 still has six hosts. */
    public static final int MAX_SUBNET_LENGTH = 29;

    /** Ranges a pool must not overlap, with why; in address order so that messages are stable. */
    private static final Map<String, String> FORBIDDEN = orderedForbidden();

    private final IPAddress pool;
    private final int subnetLength;

    private SubnetPool(IPAddress pool, int subnetLength) {
        this.pool = pool;
        this.subnetLength = subnetLength;
    }

    /** The default pool: {@value #DEFAULT_CIDR} in /{@value #DEFAULT_SUBNET_LENGTH}s. */
    public static SubnetPool defaultPool() {
        return of(DEFAULT_CIDR, DEFAULT_SUBNET_LENGTH);
    }

    /**
     * A pool of /{@value #DEFAULT_SUBNET_LENGTH}s.
     *
     * @throws IllegalArgumentException as {@link #of(String, int)}
     */
    public static SubnetPool of(String cidr) {
        return of(cidr, DEFAULT_SUBNET_LENGTH);
    }

    /**
     * A pool of subnets of {@code subnetLength}.
     *
     * @throws IllegalArgumentException naming the pool and the rule broken: not an IPv4 CIDR with host bits zero,
     *                                  overlapping a forbidden range, or a subnet length out of range
     */
    public static SubnetPool of(String cidr, int subnetLength) {
        Optional<String> problem = Subnets.problem(cidr);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("Invalid lease pool (" + POOL_KEY + "): " + problem.get());
        }
        IPAddress pool = Subnets.parse(cidr);
        List<String> overlaps = FORBIDDEN.entrySet().stream()
                .filter(range -> Subnets.parse(range.getKey()).overlaps(pool))
                .map(range -> range.getKey() + " (" + range.getValue() + ")")
                .toList();
        if (!overlaps.isEmpty()) {
            throw new IllegalArgumentException("Invalid lease pool '" + cidr + "' (" + POOL_KEY + "): it overlaps "
                    + String.join(", ", overlaps) + "; Testbed never puts test networks there. Use a range inside "
                    + DEFAULT_CIDR + " (RFC 2544, reserved for network benchmarks), e.g. the default " + DEFAULT_CIDR);
        }
        int poolLength = pool.getNetworkPrefixLength();
        if (subnetLength < poolLength || subnetLength > MAX_SUBNET_LENGTH) {
            throw new IllegalArgumentException("Invalid subnet length for lease pool " + Subnets.canonical(pool) + " ("
                    + SUBNET_LENGTH_KEY + "): must be between " + poolLength + " (the pool's length) and "
                    + MAX_SUBNET_LENGTH + ", was " + subnetLength);
        }
        return new SubnetPool(pool, subnetLength);
    }

    /**
     * The pool configured by {@value #POOL_KEY} and {@value #SUBNET_LENGTH_KEY}, each defaulting when absent.
     *
     * @throws IllegalArgumentException as {@link #of(String, int)}, or when the subnet length is not a number
     */
    public static SubnetPool fromConfiguration(Map<String, String> configuration) {
        String cidr = configuration.getOrDefault(POOL_KEY, DEFAULT_CIDR);
        String length = configuration
                .getOrDefault(SUBNET_LENGTH_KEY, String.valueOf(DEFAULT_SUBNET_LENGTH))
                .strip();
        int subnetLength;
        try {
            subnetLength = Integer.parseInt(length.startsWith("/") ? length.substring(1) : length);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid " + SUBNET_LENGTH_KEY + ": must be a prefix length such as 24, was '" + length + "'", e);
        }
        return of(cidr, subnetLength);
    }

    /** The pool in canonical CIDR notation, e.g. {@code 198.18.0.0/15}. */
    public String cidr() {
        return Subnets.canonical(pool);
    }

    /** The prefix length of the subnets leased from the pool. */
    public int subnetLength() {
        return subnetLength;
    }

    /** How many subnets the pool holds. */
    public long size() {
        return subnetBlocks().getPrefixCount().longValueExact();
    }

    /** Every subnet of the pool in CIDR notation, lowest first. Lazy: a large pool is not materialised. */
    public Stream<String> subnets() {
        return subnetBlocks().prefixBlockStream().map(Subnets::canonical);
    }

    /** Every subnet of the pool, lowest first. */
    Iterator<? extends IPAddress> subnetIterator() {
        return subnetBlocks().prefixBlockIterator();
    }

    /** Whether the subnet {@code cidr} lies entirely inside the pool. */
    public boolean contains(String cidr) {
        return pool.contains(Subnets.parse(cidr));
    }

    boolean contains(IPAddress subnet) {
        return pool.contains(subnet);
    }

    /**
     * Checks a subnet a user declared explicitly for a network: a valid IPv4 CIDR with host bits zero, inside the
     * pool, and large enough for the gateway (host number 1) and machines up to host number {@code highestHost}.
     * Does not look at leases: whether the subnet is free is decided when it is leased.
     *
     * @param element     the element to name in problems, e.g. {@code network 'lan'}
     * @param cidr        the declared subnet
     * @param highestHost the highest host number the address plan gives a machine on it (1 if none)
     * @return every problem found, attribute {@code subnet}; empty when the subnet is fine
     */
    public List<SpecProblem> checkExplicitSubnet(String element, String cidr, long highestHost) {
        List<SpecProblem> problems = new ArrayList<>();
        Optional<String> syntax = Subnets.problem(cidr);
        if (syntax.isPresent()) {
            problems.add(new SpecProblem(element, "subnet", syntax.get()));
            return problems;
        }
        IPAddress subnet = Subnets.parse(cidr);
        if (!pool.contains(subnet)) {
            problems.add(new SpecProblem(
                    element,
                    "subnet",
                    Subnets.canonical(subnet) + " lies outside the lease pool " + cidr()
                            + "; declare a subnet inside the pool, or configure " + POOL_KEY));
        }
        long last = Subnets.lastHostNumber(subnet);
        if (highestHost > last) {
            problems.add(new SpecProblem(element, "subnet", tooSmall(subnet, highestHost)));
        }
        return problems;
    }

    /** The rule a too small subnet breaks; shared with the address planner so that both say the same. */
    public static String tooSmall(IPAddress subnet, long highestHost) {
        long last = Subnets.lastHostNumber(subnet);
        return Subnets.canonical(subnet) + " is too small: its host numbers are "
                + (last == 0 ? "none" : "1 to " + last) + " but the plan needs host number " + highestHost
                + " (.1 is the gateway, machines get host 10, 11, … in declaration order); use a /"
                + Subnets.longestPrefixFor(subnet, highestHost) + " or a shorter prefix";
    }

    private IPAddress subnetBlocks() {
        return pool.setPrefixLength(subnetLength, false);
    }

    private static Map<String, String> orderedForbidden() {
        Map<String, String> ranges = new LinkedHashMap<>();
        ranges.put("0.0.0.0/8", "'this network', RFC 1122");
        ranges.put("10.0.0.0/8", "private, RFC 1918");
        ranges.put("100.64.0.0/10", "shared address space, RFC 6598, used by carrier-grade NAT and VPNs");
        ranges.put("127.0.0.0/8", "loopback");
        ranges.put("169.254.0.0/16", "link-local");
        ranges.put("172.16.0.0/12", "private, RFC 1918");
        ranges.put("192.168.0.0/16", "private, RFC 1918");
        ranges.put("224.0.0.0/4", "multicast");
        ranges.put("240.0.0.0/4", "reserved and broadcast");
        return Collections.unmodifiableMap(ranges);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SubnetPool that && pool.equals(that.pool) && subnetLength == that.subnetLength;
    }

    @Override
    public int hashCode() {
        return pool.hashCode() * 31 + subnetLength;
    }

    @Override
    public String toString() {
        return cidr() + " in /" + subnetLength + "s (" + size() + " subnets)";
    }
}
