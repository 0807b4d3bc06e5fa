package io.testbed.core.internal.netem;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.internal.support.LocalCommand;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shaping scripts run by a real {@code tc} against a real kernel: in a throw-away network namespace of the host
 * (its kernel has HTB and u32; a netem leaf is only checked in the VM and container tests, since this host kernel may
 * lack {@code sch_netem}), on a veth interface holding the source address.
 */
class ShapingScriptIT {

    /** veth pairs, not dummies: a host kernel without modules may lack the dummy driver. */
    private static final String SETUP = "ip link add d0 type veth peer name d0p && ip addr add 198.18.255.2/24 dev d0"
            + " && ip link set d0 up && ip link add d1 type veth peer name d1p && ip addr add 198.18.254.2/24 dev d1"
            + " && ";

    @Test
    void theScriptBuildsOneRateClassAndFilterPerDestinationOnTheInterfaceWithTheAddress() throws Exception {
        String script = Shaping.script(
                InetAddress.getByName("198.18.255.2"),
                List.of(
                        new Shaping.Target(InetAddress.getByName("198.18.255.3"), rate(1_000_000)),
                        new Shaping.Target(InetAddress.getByName("198.18.255.4"), rate(64_000))));

        String shown =
                inNamespace(script + "tc class show dev d0; tc filter show dev d0; echo d1:; tc qdisc show dev d1");

        assertThat(shown)
                .contains("class htb 1:a root prio 0 rate 1Mbit ceil 1Mbit")
                .contains("class htb 1:b root prio 0 rate 64Kbit ceil 64Kbit")
                .contains("flowid 1:a")
                .contains("match c612ff03/ffffffff at 16")
                .contains("match c612ff04/ffffffff at 16");
        assertThat(shown.substring(shown.indexOf("d1:"))).doesNotContain("htb");
    }

    @Test
    void runningItAgainReplacesTheTreeAndClearingRemovesIt() throws Exception {
        InetAddress source = InetAddress.getByName("198.18.255.2");
        String first = Shaping.script(
                source, List.of(new Shaping.Target(InetAddress.getByName("198.18.255.3"), rate(1_000_000))));
        String second = Shaping.script(
                source, List.of(new Shaping.Target(InetAddress.getByName("198.18.255.3"), rate(2_000_000))));

        String shown = inNamespace(first + second + "tc class show dev d0; echo cleared:; "
                + Shaping.clearScript(source) + "tc qdisc show dev d0");

        assertThat(shown).contains("rate 2Mbit").doesNotContain("rate 1Mbit");
        assertThat(shown.substring(shown.indexOf("cleared:"))).doesNotContain("htb");
    }

    private static LinkTable.Shape rate(long bits) {
        return new LinkTable.Shape(Duration.ZERO, Duration.ZERO, 0, bits);
    }

    private static String inNamespace(String script) {
        LocalCommand.Result result = LocalCommand.of("unshare", "-n", "sh", "-c", SETUP + "(\n" + script + "\n)")
                .timeout(Duration.ofSeconds(60))
                .run();
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return result.stdout();
    }
}
