package io.testbed.core.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.spec.SpecProblem;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubnetPoolTest {

    @Test
    void defaultPoolIs198_18Slash15CutInto512Slash24s() {
        SubnetPool pool = SubnetPool.defaultPool();

        assertThat(pool.cidr()).isEqualTo("198.18.0.0/15");
        assertThat(pool.subnetLength()).isEqualTo(24);
        assertThat(pool.size()).isEqualTo(512);
        assertThat(pool.subnets().limit(3)).containsExactly("198.18.0.0/24", "198.18.1.0/24", "198.18.2.0/24");
        assertThat(pool.subnets().skip(511)).containsExactly("198.19.255.0/24");
        assertThat(pool.subnets().distinct().count()).isEqualTo(512);
        assertThat(pool).hasToString("198.18.0.0/15 in /24s (512 subnets)");
    }

    @Test
    void smallPoolsAndLongSubnets() {
        assertThat(SubnetPool.of("198.19.240.0/21").subnets())
                .containsExactly(
                        "198.19.240.0/24",
                        "198.19.241.0/24",
                        "198.19.242.0/24",
                        "198.19.243.0/24",
                        "198.19.244.0/24",
                        "198.19.245.0/24",
                        "198.19.246.0/24",
                        "198.19.247.0/24");
        SubnetPool slash29s = SubnetPool.of("198.18.7.0/24", 29);
        assertThat(slash29s.size()).isEqualTo(32);
        assertThat(slash29s.subnets().limit(2)).containsExactly("198.18.7.0/29", "198.18.7.8/29");
        assertThat(SubnetPool.of("198.18.7.0/24", 24).subnets()).containsExactly("198.18.7.0/24");
    }

    @Test
    void configurationOverridesDefaults() {
        assertThat(SubnetPool.fromConfiguration(Map.of())).isEqualTo(SubnetPool.defaultPool());
        SubnetPool pool = SubnetPool.fromConfiguration(
                Map.of(SubnetPool.POOL_KEY, "198.19.0.0/16", SubnetPool.SUBNET_LENGTH_KEY, "/26"));
        assertThat(pool).isEqualTo(SubnetPool.of("198.19.0.0/16", 26));
        assertThat(pool.size()).isEqualTo(1024);
        assertThatThrownBy(() -> SubnetPool.fromConfiguration(Map.of(SubnetPool.SUBNET_LENGTH_KEY, "big")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid testbed.lease.subnetLength: must be a prefix length such as 24, was 'big'");
    }

    @Test
    void containsOnlySubnetsEntirelyInside() {
        SubnetPool pool = SubnetPool.defaultPool();
        assertThat(pool.contains("198.19.4.0/24")).isTrue();
        assertThat(pool.contains("198.18.0.0/15")).isTrue();
        assertThat(pool.contains("198.16.0.0/14")).isFalse();
        assertThat(pool.contains("198.20.0.0/24")).isFalse();
    }

    @Test
    void rejectsPoolsThatAreNotIpv4Cidrs() {
        assertThatThrownBy(() -> SubnetPool.of("fd00::/64"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool (testbed.lease.pool): 'fd00::/64' is IPv6; only IPv4 subnets are "
                        + "supported, e.g. 198.18.4.0/24");
        assertThatThrownBy(() -> SubnetPool.of("banana"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool (testbed.lease.pool): 'banana' is not an IPv4 subnet in CIDR notation, "
                        + "e.g. 198.18.4.0/24");
        assertThatThrownBy(() -> SubnetPool.of("198.18.*.0/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool (testbed.lease.pool): '198.18.*.0/24' is not an IPv4 subnet in CIDR "
                        + "notation, e.g. 198.18.4.0/24");
        assertThatThrownBy(() -> SubnetPool.of("198.18.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool (testbed.lease.pool): '198.18.0.0' has no prefix length; write it in "
                        + "CIDR notation, e.g. 198.18.0.0/24");
        assertThatThrownBy(() -> SubnetPool.of("198.18.0.1/15"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool (testbed.lease.pool): '198.18.0.1/15' has host bits set; did you mean "
                        + "198.18.0.0/15?");
        assertThatThrownBy(() -> SubnetPool.of(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool (testbed.lease.pool): must be an IPv4 subnet in CIDR notation, e.g. "
                        + "198.18.4.0/24, was ' '");
    }

    @Test
    void rejectsPoolsOverlappingPrivateRangesNamingTheOverlap() {
        assertThatThrownBy(() -> SubnetPool.of("10.0.0.0/16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid lease pool '10.0.0.0/16' (testbed.lease.pool): it overlaps 10.0.0.0/8 (private, "
                        + "RFC 1918); Testbed never puts test networks there. Use a range inside 198.18.0.0/15 "
                        + "(RFC 2544, reserved for network benchmarks), e.g. the default 198.18.0.0/15");
        assertThatThrownBy(() -> SubnetPool.of("172.0.0.0/8"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid lease pool '172.0.0.0/8' (testbed.lease.pool): it overlaps "
                        + "172.16.0.0/12 (private, RFC 1918); ");
        assertThatThrownBy(() -> SubnetPool.of("192.168.100.0/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid lease pool '192.168.100.0/24' (testbed.lease.pool): it overlaps "
                        + "192.168.0.0/16 (private, RFC 1918); ");
        assertThatThrownBy(() -> SubnetPool.of("192.0.0.0/2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid lease pool '192.0.0.0/2' (testbed.lease.pool): it overlaps "
                        + "192.168.0.0/16 (private, RFC 1918), 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved and "
                        + "broadcast); ");
        assertThatThrownBy(() -> SubnetPool.of("127.0.0.0/16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("it overlaps 127.0.0.0/8 (loopback)");
    }

    @Test
    void rejectsSubnetLengthsOutsidePoolLengthTo29() {
        assertThatThrownBy(() -> SubnetPool.of("198.18.0.0/15", 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid subnet length for lease pool 198.18.0.0/15 (testbed.lease.subnetLength): must be "
                        + "between 15 (the pool's length) and 29, was 30");
        assertThatThrownBy(() -> SubnetPool.of("198.18.0.0/16", 15))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid subnet length for lease pool 198.18.0.0/16 (testbed.lease.subnetLength): must be "
                        + "between 16 (the pool's length) and 29, was 15");
    }

    @Test
    void explicitSubnetInsideThePoolAndLargeEnoughHasNoProblem() {
        assertThat(SubnetPool.defaultPool().checkExplicitSubnet("network 'lan'", "198.18.44.0/24", 12))
                .isEmpty();
        assertThat(SubnetPool.defaultPool().checkExplicitSubnet("network 'lan'", "198.18.44.0/28", 14))
                .isEmpty();
    }

    @Test
    void explicitSubnetProblemsNameTheNetworkAndTheRule() {
        SubnetPool pool = SubnetPool.defaultPool();
        assertThat(pool.checkExplicitSubnet("network 'lan'", "198.18.44.1/24", 10))
                .containsExactly(new SpecProblem(
                        "network 'lan'",
                        "subnet",
                        "'198.18.44.1/24' has host bits set; did you mean " + "198.18.44.0/24?"));
        assertThat(pool.checkExplicitSubnet("network 'lan'", "192.0.2.0/24", 10))
                .containsExactly(new SpecProblem(
                        "network 'lan'",
                        "subnet",
                        "192.0.2.0/24 lies outside the lease pool 198.18.0.0/15; "
                                + "declare a subnet inside the pool, or configure testbed.lease.pool"));
        assertThat(pool.checkExplicitSubnet("network 'lan'", "198.18.44.0/29", 12))
                .containsExactly(new SpecProblem(
                        "network 'lan'",
                        "subnet",
                        "198.18.44.0/29 is too small: its host numbers are 1 to 6 "
                                + "but the plan needs host number 12 (.1 is the gateway, machines get host 10, 11, … in "
                                + "declaration order); use a /28 or a shorter prefix"));
        assertThat(pool.checkExplicitSubnet("network 'lan'", "198.18.44.0/32", 1))
                .containsExactly(new SpecProblem(
                        "network 'lan'",
                        "subnet",
                        "198.18.44.0/32 is too small: its host numbers are none "
                                + "but the plan needs host number 1 (.1 is the gateway, machines get host 10, 11, … in "
                                + "declaration order); use a /30 or a shorter prefix"));
        assertThat(pool.checkExplicitSubnet("network 'wan'", "lan", 1))
                .containsExactly(new SpecProblem(
                        "network 'wan'",
                        "subnet",
                        "'lan' is not an IPv4 subnet in CIDR notation, e.g. " + "198.18.4.0/24"));
    }
}
