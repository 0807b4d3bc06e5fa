package io.testbed.core.plan;

import inet.ipaddr.IPAddress;
import io.testbed.core.lease.SubnetPool;
import io.testbed.core.lease.Subnets;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NicPlan;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Computes an environment's {@link AddressPlan} from its spec, its prefix id and the subnet leased for each
 * network. Pure and deterministic: the same input always gives the same plan, so a prefix can be re-planned after
 * a crash and find its objects again.
 *
 * <p>Rules:
 * <ul>
 *   <li>the gateway is the first host address ({@value #GATEWAY_HOST}, e.g. {@code .1});</li>
 *   <li>the machine declared at index {@code i} of the environment gets host number {@value #FIRST_MACHINE_HOST}
 *       {@code + i} on every network it joins, so a machine has the same last octet everywhere;</li>
 *   <li>a NIC's MAC is {@code 52:54:00} (the QEMU/KVM locally administered prefix) followed by three bytes of
 *       SHA-256({@code prefixId/machine/nicIndex}), unique within the environment (on a collision the digest
 *       input gets a deterministic {@code /n} suffix);</li>
 *   <li>provider object names are {@code tb-<first 8 characters of the prefix id>-<name>};</li>
 *   <li>bridge names are {@code tb} + 10 hex characters of SHA-256({@code prefixId/network}): 12 characters,
 *       within Linux's 15-character limit for interface names; every NIC on a network carries its bridge name
 *       too ({@link NicPlan#bridge()}), so a machine can join a network another provider created.</li>
 * </ul>
 */
@API(status = API.Status.INTERNAL)
public final class AddressPlanner {

    /** The host number of the host-side gateway. */
    public static final int GATEWAY_HOST = 1;
    /** The host number of the first declared machine; lower numbers are left for the host side. */
    public static final int FIRST_MACHINE_HOST = 10;
    /** The prefix of every planned MAC. */
    public static final String MAC_PREFIX = "52:54:00";

    private static final Pattern SHORT_ID = Pattern.compile("[a-z0-9]{8}");
    private static final HexFormat HEX = HexFormat.of();
    private static final HexFormat MAC_BYTES = HexFormat.ofDelimiter(":");

    private AddressPlanner() {}

    /**
     * Plans every network and machine of {@code spec}.
     *
     * @param spec     the environment
     * @param prefixId the prefix uuid (its first 8 characters must be lower-case letters or digits)
     * @param subnets  the subnet chosen for each network, by network name, in CIDR notation; for a network that
     *                 declares an explicit subnet it must be that subnet
     * @throws io.testbed.core.spec.InvalidSpecException when a subnet is too small for the host numbers of its
     *                                                     machines, naming each network and machine concerned
     * @throws IllegalArgumentException when {@code subnets} misses a network, differs from an explicit subnet or
     *                                  holds something that is not a subnet, or {@code prefixId} is unusable
     */
    public static AddressPlan plan(EnvironmentSpec spec, String prefixId, Map<String, String> subnets) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(subnets, "subnets");
        String shortId = shortId(prefixId);
        Map<String, IPAddress> blocks = subnetsByNetwork(spec, subnets);
        Problems problems = new Problems();
        Map<String, InetAddress> gateways = new HashMap<>();
        for (NetworkSpec network : spec.networks()) {
            IPAddress subnet = blocks.get(network.name());
            Optional<InetAddress> gateway = Subnets.host(subnet, GATEWAY_HOST);
            if (gateway.isEmpty()) {
                problems.add(network.element(), "subnet", SubnetPool.tooSmall(subnet, GATEWAY_HOST));
            } else {
                gateways.put(network.name(), gateway.get());
            }
        }
        Set<String> takenBridges = new HashSet<>();
        Map<String, String> bridges = new HashMap<>();
        for (NetworkSpec network : spec.networks()) {
            bridges.put(network.name(), uniqueBridgeName(prefixId, network.name(), takenBridges));
        }
        Map<String, List<NetworkPlan.Member>> members = new HashMap<>();
        spec.networks().forEach(network -> members.put(network.name(), new ArrayList<>()));
        Set<String> macs = new HashSet<>();
        Map<String, Map<String, Long>> overflow = new LinkedHashMap<>();
        List<MachinePlan> machines = new ArrayList<>();
        for (int index = 0; index < spec.machines().size(); index++) {
            MachineSpec machine = spec.machines().get(index);
            long hostNumber = FIRST_MACHINE_HOST + index;
            List<NicPlan> nics = new ArrayList<>();
            for (int nicIndex = 0; nicIndex < machine.networks().size(); nicIndex++) {
                NetworkSpec network = spec.network(machine.networks().get(nicIndex));
                IPAddress subnet = blocks.get(network.name());
                String mac = uniqueMac(prefixId, machine.name(), nicIndex, macs);
                Optional<InetAddress> address = Subnets.host(subnet, hostNumber);
                if (address.isEmpty()) {
                    overflow.computeIfAbsent(network.name(), n -> new LinkedHashMap<>())
                            .put(machine.name(), hostNumber);
                    continue;
                }
                nics.add(new NicPlan(
                        network.name(),
                        objectName(shortId, network.name()),
                        bridges.get(network.name()),
                        mac,
                        address.get(),
                        subnet.getNetworkPrefixLength(),
                        gateways.get(network.name()),
                        network.mtu(),
                        network.mode()));
                members.get(network.name()).add(new NetworkPlan.Member(machine.name(), mac, address.get()));
            }
            machines.add(new MachinePlan(machine, objectName(shortId, machine.name()), nics));
        }
        overflow.forEach((network, machinesOver) -> {
            if (gateways.containsKey(network)) {
                long highest = machinesOver.values().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElseThrow();
                problems.add(
                        spec.network(network).element(),
                        "subnet",
                        SubnetPool.tooSmall(blocks.get(network), highest)
                                + "; machines without an address: "
                                + machinesOver.keySet().stream()
                                        .map(Problems::quote)
                                        .toList());
            }
        });
        problems.throwIfAny();
        List<NetworkPlan> networks = new ArrayList<>();
        for (NetworkSpec network : spec.networks()) {
            IPAddress subnet = blocks.get(network.name());
            networks.add(new NetworkPlan(
                    network,
                    objectName(shortId, network.name()),
                    bridges.get(network.name()),
                    Subnets.canonical(subnet),
                    gateways.get(network.name()),
                    subnet.getNetworkPrefixLength(),
                    members.get(network.name())));
        }
        return new AddressPlan(networks, machines);
    }

    /**
     * Checks, before anything is leased, that every network's subnet can hold its plan: explicit subnets are valid,
     * inside {@code pool}, large enough and do not overlap each other; leased subnets of the pool's length are large
     * enough.
     *
     * @return every problem found; empty when the environment can be planned on {@code pool}
     */
    public static List<SpecProblem> checkSubnets(EnvironmentSpec spec, SubnetPool pool) {
        Problems problems = new Problems();
        Map<String, IPAddress> explicit = new LinkedHashMap<>();
        for (NetworkSpec network : spec.networks()) {
            long highest = highestHostNumber(spec, network.name());
            if (network.subnet().isPresent()) {
                String cidr = network.subnet().get();
                List<SpecProblem> found = pool.checkExplicitSubnet(network.element(), cidr, highest);
                problems.addAll(found);
                if (Subnets.problem(cidr).isEmpty()) {
                    IPAddress subnet = Subnets.parse(cidr);
                    explicit.forEach((other, otherSubnet) -> {
                        if (otherSubnet.overlaps(subnet)) {
                            problems.add(
                                    network.element(),
                                    "subnet",
                                    Subnets.canonical(subnet) + " overlaps "
                                            + Subnets.canonical(otherSubnet) + " of network " + Problems.quote(other)
                                            + "; give each network its own subnet");
                        }
                    });
                    explicit.put(network.name(), subnet);
                }
            } else {
                IPAddress sample = Subnets.parse(pool.subnets().findFirst().orElseThrow());
                if (highest > Subnets.lastHostNumber(sample)) {
                    problems.add(
                            network.element(),
                            "subnet",
                            "leased subnets are /" + pool.subnetLength()
                                    + ", too small for host number " + highest
                                    + " (.1 is the gateway, machines get host 10, "
                                    + "11, … in declaration order); set " + SubnetPool.SUBNET_LENGTH_KEY + " to "
                                    + Subnets.longestPrefixFor(sample, highest)
                                    + " or less, or declare a larger subnet");
                }
            }
        }
        long leased = spec.networks().stream().filter(n -> n.subnet().isEmpty()).count();
        if (leased > pool.size()) {
            // caught here, not as an exhausted pool at leasing time: no free subnet would ever be enough
            problems.add(
                    "configuration",
                    SubnetPool.POOL_KEY,
                    "is " + pool + ", too small for the " + leased + " networks this environment leases; configure a "
                            + "larger pool or a longer " + SubnetPool.SUBNET_LENGTH_KEY);
        }
        return problems.list();
    }

    /**
     * The highest host number the plan gives on {@code network}: {@value #FIRST_MACHINE_HOST} plus the environment
     * index of the last machine on it, or {@value #GATEWAY_HOST} when no machine joins it.
     */
    public static long highestHostNumber(EnvironmentSpec spec, String network) {
        long highest = GATEWAY_HOST;
        for (int index = 0; index < spec.machines().size(); index++) {
            if (spec.machines().get(index).networks().contains(network)) {
                highest = FIRST_MACHINE_HOST + index;
            }
        }
        return highest;
    }

    /** The provider object name of an element of the prefix: {@code tb-<prefix8>-<name>}. */
    public static String objectName(String prefixId, String name) {
        return "tb-" + shortId(prefixId) + "-" + name;
    }

    /** The MAC of NIC {@code nicIndex} of {@code machine}, before any collision handling. */
    public static String mac(String prefixId, String machine, int nicIndex) {
        return macFor(prefixId + "/" + machine + "/" + nicIndex);
    }

    /** The host bridge name of {@code network}, before any collision handling: {@code tb} + 10 hex characters. */
    public static String bridgeName(String prefixId, String network) {
        return bridgeFor(prefixId + "/" + network);
    }

    private static String uniqueMac(String prefixId, String machine, int nicIndex, Set<String> taken) {
        String seed = prefixId + "/" + machine + "/" + nicIndex;
        String mac = macFor(seed);
        for (int attempt = 1; !taken.add(mac); attempt++) {
            mac = macFor(seed + "/" + attempt);
        }
        return mac;
    }

    private static String uniqueBridgeName(String prefixId, String network, Set<String> taken) {
        String seed = prefixId + "/" + network;
        String bridge = bridgeFor(seed);
        for (int attempt = 1; !taken.add(bridge); attempt++) {
            bridge = bridgeFor(seed + "/" + attempt);
        }
        return bridge;
    }

    static String macFor(String seed) {
        return MAC_PREFIX + ":" + MAC_BYTES.formatHex(sha256(seed), 0, 3);
    }

    private static String bridgeFor(String seed) {
        return "tb" + HEX.formatHex(sha256(seed), 0, 5);
    }

    private static Map<String, IPAddress> subnetsByNetwork(EnvironmentSpec spec, Map<String, String> subnets) {
        Map<String, IPAddress> blocks = new HashMap<>();
        for (NetworkSpec network : spec.networks()) {
            String cidr = subnets.get(network.name());
            if (cidr == null) {
                throw new IllegalArgumentException("No subnet chosen for " + network.element() + "; subnets given for "
                        + subnets.keySet().stream().sorted().toList() + ". Lease one per network before planning");
            }
            IPAddress subnet;
            try {
                subnet = Subnets.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Subnet chosen for " + network.element() + ": " + e.getMessage(), e);
            }
            if (network.subnet().isPresent()
                    && Subnets.problem(network.subnet().get()).isEmpty()
                    && !Subnets.parse(network.subnet().get()).equals(subnet)) {
                throw new IllegalArgumentException("Subnet chosen for " + network.element() + " is "
                        + Subnets.canonical(subnet) + " but the network declares "
                        + network.subnet().get()
                        + "; lease the declared subnet (LeaseStore.acquireExact)");
            }
            blocks.put(network.name(), subnet);
        }
        return blocks;
    }

    private static String shortId(String prefixId) {
        Objects.requireNonNull(prefixId, "prefixId");
        if (prefixId.length() < 8 || !SHORT_ID.matcher(prefixId.substring(0, 8)).matches()) {
            throw new IllegalArgumentException("prefixId must start with 8 lower-case letters or digits (a prefix "
                    + "uuid), was '" + prefixId + "'");
        }
        return prefixId.substring(0, 8);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
