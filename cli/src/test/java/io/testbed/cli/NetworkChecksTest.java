package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LocalSubnetProbe.LocalSubnet;
import io.testbed.core.lease.SubnetPool;
import io.testbed.core.prefix.Prefix;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkChecksTest {

    @TempDir
    Path temp;

    private final SubnetPool pool = SubnetPool.defaultPool();

    private Lease live(String subnet) {
        Prefix prefix = Prefix.create(temp, "live");
        ProcessHandle self = ProcessHandle.current();
        return new Lease(
                subnet,
                prefix.id(),
                prefix.dir().toString(),
                self.pid(),
                self.info().startInstant().orElse(null),
                Instant.now());
    }

    private static Lease stale(String subnet) {
        return new Lease(subnet, "dead-id", "/gone/dead-0000", 1, null, Instant.now());
    }

    private static LocalSubnet address(String cidr, String device) {
        return new LocalSubnet(cidr, "address " + cidr + " on " + device, device);
    }

    private static LocalSubnet route(String cidr, String device) {
        return new LocalSubnet(cidr, "route " + cidr + " dev " + device, device);
    }

    @Test
    void liveEnvironmentsBridgesAndDockersOwnAreFineAndOutsideThePoolIsNoneOfItsBusiness() {
        List<Check> checks = NetworkChecks.classify(
                List.of(
                        address("192.0.2.2/24", "eth0"),
                        address("198.18.0.1/24", "tb35d8fc8417"),
                        route("198.18.0.0/24", "tb35d8fc8417"),
                        address("198.19.255.1/24", "docker0"),
                        route("198.19.255.0/24", "docker0")),
                pool,
                List.of(live("198.18.0.0/24")));

        assertThat(checks)
                .containsExactly(Check.pass(
                        "addresses in 198.18.0.0/15",
                        "1 network(s) on live leases; Docker's 198.19.255.0/24 on docker0 (the set-up's choice;"
                                + " the lease store skips them); nothing else"));
    }

    @Test
    void anotherUserOfALiveLeasesSubnetFailsLeftoversAndForeignersWarn() {
        List<Check> checks = NetworkChecks.classify(
                List.of(
                        route("198.18.4.0/23", "tun0"),
                        address("198.18.9.1/24", "tb0123456789"),
                        address("198.18.12.1/24", "tbabcdefabcd"),
                        address("198.19.100.1/24", "virbr7")),
                pool,
                List.of(live("198.18.5.0/24"), stale("198.18.9.0/24")));

        assertThat(checks)
                .extracting(Check::status)
                .containsExactly(Check.Status.FAIL, Check.Status.WARN, Check.Status.WARN, Check.Status.WARN);
        assertThat(checks.get(0).detail())
                .startsWith("used twice: 198.18.4.0/23 on tun0 overlaps 198.18.5.0/24, leased to " + temp);
        assertThat(checks.get(1).detail())
                .isEqualTo("left over: 198.18.9.0/24 on tb0123456789 of the dead environment /gone/dead-0000");
        assertThat(checks.get(1).fix()).isEqualTo("testbed janitor");
        assertThat(checks.get(2).detail())
                .startsWith("Testbed bridges without a lease (")
                .endsWith("): 198.18.12.0/24 on tbabcdefabcd");
        assertThat(checks.get(3).detail())
                .isEqualTo("used by others (the lease store skips them, so the pool is smaller): 198.19.100.0/24 on"
                        + " virbr7");
    }

    @Test
    void dockersBridgeOutsideTheRangeWarns() {
        List<Check> checks = NetworkChecks.classify(List.of(address("172.17.0.1/16", "docker0")), pool, List.of());

        assertThat(checks).hasSize(1);
        assertThat(checks.get(0).item()).isEqualTo("docker addresses");
        assertThat(checks.get(0).status()).isEqualTo(Check.Status.WARN);
        assertThat(checks.get(0).detail())
                .isEqualTo("Docker's bridge lies outside 198.18.0.0/15: 172.17.0.0/16 on docker0");
    }
}
