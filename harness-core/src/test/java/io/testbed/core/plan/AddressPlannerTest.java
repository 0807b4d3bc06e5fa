package io.testbed.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.lease.SubnetPool;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NicPlan;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AddressPlannerTest {

    private static final String PREFIX = "1a2b3c4d-0000-4000-8000-000000000001";
    private static final String OTHER_PREFIX = "9f8e7d6c-0000-4000-8000-000000000002";

    private static MachineSpec machine(String name, String... networks) {
        return new MachineSpec(name, "libvirt", "tiny", 1, 256, List.of(networks), List.of(), Set.of(), Map.of());
    }

    private static NetworkSpec explicit(String name, String subnet) {
        return new NetworkSpec(name, NetworkMode.ISOLATED, Optional.of(subnet), true, 0);
    }

    /** web on lan; db on lan and wan; cache on wan. */
    private static EnvironmentSpec cluster() {
        return new EnvironmentSpec(
                "cluster",
                List.of(NetworkSpec.leased("lan"), NetworkSpec.leased("wan")),
                List.of(machine("web", "lan"), machine("db", "lan", "wan"), machine("cache", "wan")));
    }

    private static final Map<String, String> SUBNETS = Map.of("lan", "198.18.4.0/24", "wan", "198.18.5.0/24");

    private static InetAddress ip(String address) throws Exception {
        return InetAddress.getByName(address);
    }

    private static String expectedMac(String seed) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
        return "52:54:00:" + HexFormat.ofDelimiter(":").formatHex(digest, 0, 3);
    }

    @Test
    void machinesGetHostTenPlusTheirIndexOnEveryNetworkAndTheGatewayIsDotOne() throws Exception {
        AddressPlan plan = AddressPlanner.plan(cluster(), PREFIX, SUBNETS);

        NetworkPlan lan = plan.network("lan");
        assertThat(lan.cidr()).isEqualTo("198.18.4.0/24");
        assertThat(lan.gateway()).isEqualTo(ip("198.18.4.1"));
        assertThat(lan.prefixLength()).isEqualTo(24);
        assertThat(lan.objectName()).isEqualTo("tb-1a2b3c4d-lan");
        assertThat(lan.members())
                .extracting(NetworkPlan.Member::name, NetworkPlan.Member::address)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("web", ip("198.18.4.10")),
                        org.assertj.core.groups.Tuple.tuple("db", ip("198.18.4.11")));
        assertThat(plan.network("wan").members())
                .extracting(NetworkPlan.Member::name, NetworkPlan.Member::address)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("db", ip("198.18.5.11")),
                        org.assertj.core.groups.Tuple.tuple("cache", ip("198.18.5.12")));

        MachinePlan db = plan.machine("db");
        assertThat(db.objectName()).isEqualTo("tb-1a2b3c4d-db");
        assertThat(db.nics())
                .containsExactly(
                        new NicPlan(
                                "lan",
                                "tb-1a2b3c4d-lan",
                                lan.bridgeName(),
                                expectedMac(PREFIX + "/db/0"),
                                ip("198.18.4.11"),
                                24,
                                ip("198.18.4.1"),
                                0,
                                NetworkMode.ISOLATED),
                        new NicPlan(
                                "wan",
                                "tb-1a2b3c4d-wan",
                                plan.network("wan").bridgeName(),
                                expectedMac(PREFIX + "/db/1"),
                                ip("198.18.5.11"),
                                24,
                                ip("198.18.5.1"),
                                0,
                                NetworkMode.ISOLATED));
        assertThat(plan.machines()).extracting(MachinePlan::name).containsExactly("web", "db", "cache");
        assertThat(lan.members().get(1).mac()).isEqualTo(db.nics().get(0).mac());
        assertThat(db.nics())
                .extracting(NicPlan::bridge)
                .containsExactly(lan.bridgeName(), plan.network("wan").bridgeName());
    }

    @Test
    void bridgeNamesAreTbPlusTenHexDigitsOfTheNetworkHash() throws Exception {
        AddressPlan plan = AddressPlanner.plan(cluster(), PREFIX, SUBNETS);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((PREFIX + "/lan").getBytes(StandardCharsets.UTF_8));

        assertThat(plan.network("lan").bridgeName())
                .isEqualTo("tb" + HexFormat.of().formatHex(digest).substring(0, 10))
                .hasSizeLessThanOrEqualTo(15);
        assertThat(plan.network("wan").bridgeName())
                .matches("tb[0-9a-f]{10}")
                .isNotEqualTo(plan.network("lan").bridgeName());
    }

    @Test
    void samePlanForTheSameInput() {
        assertThat(AddressPlanner.plan(cluster(), PREFIX, SUBNETS))
                .isEqualTo(AddressPlanner.plan(cluster(), PREFIX, new HashMap<>(SUBNETS)));
    }

    @Test
    void differentPrefixesGetDifferentMacsBridgesAndNames() {
        AddressPlan one = AddressPlanner.plan(cluster(), PREFIX, SUBNETS);
        AddressPlan two = AddressPlanner.plan(cluster(), OTHER_PREFIX, SUBNETS);

        List<String> macsOne = macs(one);
        List<String> macsTwo = macs(two);
        assertThat(macsOne)
                .hasSize(4)
                .doesNotHaveDuplicates()
                .allMatch(mac -> mac.matches("52:54:00(:[0-9a-f]{2}){3}"));
        assertThat(macsTwo).doesNotContainAnyElementsOf(macsOne);
        assertThat(two.network("lan").bridgeName())
                .isNotEqualTo(one.network("lan").bridgeName());
        assertThat(two.machine("web").objectName()).isEqualTo("tb-9f8e7d6c-web");
        // addresses depend on declaration order only
        assertThat(two.machine("web").nics().get(0).address())
                .isEqualTo(one.machine("web").nics().get(0).address());
    }

    @Test
    void collidingMacsArePerturbedDeterministically() throws Exception {
        // find two machine names whose first NIC hashes to the same 24 bits (birthday search, a few thousand tries)
        Map<String, String> seen = new HashMap<>();
        String first = null;
        String second = null;
        for (int i = 0; first == null; i++) {
            String name = "m" + i;
            String previous = seen.putIfAbsent(AddressPlanner.mac(PREFIX, name, 0), name);
            if (previous != null) {
                first = previous;
                second = name;
            }
        }
        EnvironmentSpec spec = new EnvironmentSpec(
                "collide", List.of(NetworkSpec.leased("lan")), List.of(machine(first, "lan"), machine(second, "lan")));

        AddressPlan plan = AddressPlanner.plan(spec, PREFIX, Map.of("lan", "198.18.4.0/24"));

        assertThat(plan.machine(first).nics().get(0).mac()).isEqualTo(expectedMac(PREFIX + "/" + first + "/0"));
        assertThat(plan.machine(second).nics().get(0).mac())
                .isEqualTo(expectedMac(PREFIX + "/" + second + "/0/1"))
                .isNotEqualTo(plan.machine(first).nics().get(0).mac());
        assertThat(AddressPlanner.plan(spec, PREFIX, Map.of("lan", "198.18.4.0/24")))
                .isEqualTo(plan);
    }

    @Test
    void subnetTooSmallForTheMachinesFailsNamingNetworkAndMachines() {
        List<MachineSpec> machines = new ArrayList<>();
        IntStream.range(0, 7).forEach(i -> machines.add(machine("m" + i, "lan")));
        EnvironmentSpec spec = new EnvironmentSpec("big", List.of(NetworkSpec.leased("lan")), machines);

        assertThatThrownBy(() -> AddressPlanner.plan(spec, PREFIX, Map.of("lan", "198.18.4.0/28")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("Invalid environment: network 'lan' subnet: 198.18.4.0/28 is too small: its host numbers "
                        + "are 1 to 14 but the plan needs host number 16 (.1 is the gateway, machines get host 10, 11, "
                        + "… in declaration order); use a /27 or a shorter prefix; machines without an address: "
                        + "['m5', 'm6']");
        assertThat(AddressPlanner.plan(spec, PREFIX, Map.of("lan", "198.18.4.0/27"))
                        .machine("m6")
                        .nics()
                        .get(0)
                        .address()
                        .getHostAddress())
                .isEqualTo("198.18.4.16");
    }

    @Test
    void indexCountsAcrossTheWholeEnvironment() {
        // the 6th machine is the only one on 'edge', yet it needs host number 15: a /28 is too small
        List<MachineSpec> machines = new ArrayList<>();
        IntStream.range(0, 5).forEach(i -> machines.add(machine("m" + i, "lan")));
        machines.add(machine("gw", "lan", "edge"));
        EnvironmentSpec spec = new EnvironmentSpec(
                "edge", List.of(NetworkSpec.leased("lan"), explicit("edge", "198.18.9.0/28")), machines);

        assertThat(AddressPlanner.highestHostNumber(spec, "edge")).isEqualTo(15);
        assertThat(AddressPlanner.checkSubnets(spec, SubnetPool.defaultPool()))
                .containsExactly(new SpecProblem(
                        "network 'edge'",
                        "subnet",
                        "198.18.9.0/28 is too small: its host numbers are 1 to 14 but the plan "
                                + "needs host number 15 (.1 is the gateway, machines get host 10, 11, … in declaration order); "
                                + "use a /27 or a shorter prefix"));
    }

    @Test
    void checkSubnetsReportsOverlapsOutsidersAndSmallLeasedSubnets() {
        EnvironmentSpec spec = new EnvironmentSpec(
                "nets",
                List.of(
                        explicit("a", "198.18.8.0/23"),
                        explicit("b", "198.18.9.0/24"),
                        explicit("c", "203.0.113.0/24"),
                        NetworkSpec.leased("d")),
                List.of(machine("x", "a", "b", "c", "d")));

        assertThat(AddressPlanner.checkSubnets(spec, SubnetPool.defaultPool()))
                .containsExactly(
                        new SpecProblem(
                                "network 'b'",
                                "subnet",
                                "198.18.9.0/24 overlaps 198.18.8.0/23 of network 'a'; give "
                                        + "each network its own subnet"),
                        new SpecProblem(
                                "network 'c'",
                                "subnet",
                                "203.0.113.0/24 lies outside the lease pool 198.18.0.0/15; "
                                        + "declare a subnet inside the pool, or configure testbed.lease.pool"));

        List<MachineSpec> machines = new ArrayList<>();
        IntStream.range(0, 6).forEach(i -> machines.add(machine("m" + i, "lan")));
        EnvironmentSpec crowded = new EnvironmentSpec("crowded", List.of(NetworkSpec.leased("lan")), machines);
        assertThat(AddressPlanner.checkSubnets(crowded, SubnetPool.of("198.18.0.0/16", 29)))
                .containsExactly(new SpecProblem(
                        "network 'lan'",
                        "subnet",
                        "leased subnets are /29, too small for host number 15 (.1 "
                                + "is the gateway, machines get host 10, 11, … in declaration order); set "
                                + "testbed.lease.subnetLength to 27 or less, or declare a larger subnet"));
        assertThat(AddressPlanner.checkSubnets(crowded, SubnetPool.defaultPool()))
                .isEmpty();
    }

    @Test
    void moreLeasedNetworksThanThePoolHoldsAreRejectedBeforeLeasing() {
        EnvironmentSpec spec = new EnvironmentSpec(
                "wide",
                List.of(NetworkSpec.leased("a"), NetworkSpec.leased("b"), NetworkSpec.leased("c")),
                List.of(machine("x", "a", "b", "c")));

        assertThat(AddressPlanner.checkSubnets(spec, SubnetPool.of("198.18.0.0/23", 24)))
                .containsExactly(new SpecProblem(
                        "configuration",
                        "testbed.lease.pool",
                        "is 198.18.0.0/23 in /24s (2 subnets), too small for the 3 networks this environment leases; "
                                + "configure a larger pool or a longer testbed.lease.subnetLength"));
        assertThat(AddressPlanner.checkSubnets(spec, SubnetPool.of("198.18.0.0/22", 24)))
                .isEmpty();
    }

    @Test
    void rejectsMissingOrMismatchedSubnetsAndBadPrefixIds() {
        assertThatThrownBy(() -> AddressPlanner.plan(cluster(), PREFIX, Map.of("lan", "198.18.4.0/24")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No subnet chosen for network 'wan'; subnets given for [lan]. Lease one per network before "
                        + "planning");
        EnvironmentSpec spec =
                new EnvironmentSpec("x", List.of(explicit("lan", "198.18.40.0/24")), List.of(machine("m", "lan")));
        assertThatThrownBy(() -> AddressPlanner.plan(spec, PREFIX, Map.of("lan", "198.18.41.0/24")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Subnet chosen for network 'lan' is 198.18.41.0/24 but the network declares 198.18.40.0/24; "
                                + "lease the declared subnet (LeaseStore.acquireExact)");
        assertThatThrownBy(() -> AddressPlanner.plan(spec, "ABC", Map.of("lan", "198.18.40.0/24")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prefixId must start with 8 lower-case letters or digits (a prefix uuid), was 'ABC'");
    }

    @Test
    void nicsCarryTheNetworkMtu() {
        EnvironmentSpec spec = new EnvironmentSpec(
                "mtu",
                List.of(new NetworkSpec("jumbo", NetworkMode.NAT, Optional.empty(), true, 9000)),
                List.of(machine("m", "jumbo")));
        assertThat(AddressPlanner.plan(spec, PREFIX, Map.of("jumbo", "198.18.4.0/24"))
                        .machine("m")
                        .nics()
                        .get(0)
                        .mtu())
                .isEqualTo(9000);
    }

    private static List<String> macs(AddressPlan plan) {
        return plan.machines().stream()
                .flatMap(m -> m.nics().stream())
                .map(NicPlan::mac)
                .toList();
    }

    @Test
    void everyNicCarriesItsNetworksModeSoAnyProviderCanRouteThroughTheFirstNatOne() {
        EnvironmentSpec spec = new EnvironmentSpec(
                "modes",
                List.of(NetworkSpec.leased("lan"), new NetworkSpec("wan", NetworkMode.NAT, Optional.empty(), true, 0)),
                List.of(machine("db", "lan", "wan")));
        List<NicPlan> nics =
                AddressPlanner.plan(spec, PREFIX, SUBNETS).machine("db").nics();
        assertThat(nics).extracting(NicPlan::mode).containsExactly(NetworkMode.ISOLATED, NetworkMode.NAT);
        assertThat(nics).extracting(NicPlan::nat).containsExactly(false, true);
    }
}
