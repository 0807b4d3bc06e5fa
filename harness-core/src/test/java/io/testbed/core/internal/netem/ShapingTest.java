package io.testbed.core.internal.netem;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapingTest {

    @Test
    void oneClassWithANetemLeafAndAFilterPerDestination() throws Exception {
        String script = Shaping.script(
                InetAddress.getByName("198.18.7.2"),
                List.of(
                        new Shaping.Target(
                                InetAddress.getByName("198.18.7.3"),
                                new LinkTable.Shape(Duration.ofMillis(50), Duration.ofMillis(2), 0, 0)),
                        new Shaping.Target(
                                InetAddress.getByName("198.18.7.4"),
                                new LinkTable.Shape(Duration.ZERO, Duration.ZERO, 0, 1_000_000))));

        assertThat(script).contains("awk -v a=198.18.7.2 ").contains("""
                        tc qdisc del dev "$IF" root 2>/dev/null || true
                        tc -batch - <<EOF
                        qdisc add dev $IF root handle 1: htb default 1
                        class add dev $IF parent 1: classid 1:1 htb rate 1gbit ceil 1gbit burst 125k cburst 125k
                        class add dev $IF parent 1: classid 1:a htb rate 1gbit ceil 1gbit burst 125k cburst 125k
                        qdisc add dev $IF parent 1:a handle a: netem limit 100000 delay 50000us 2000us
                        filter add dev $IF parent 1: protocol ip prio 1 u32 match ip dst 198.18.7.3/32 flowid 1:a
                        class add dev $IF parent 1: classid 1:b htb rate 1000000bit ceil 1000000bit
                        filter add dev $IF parent 1: protocol ip prio 1 u32 match ip dst 198.18.7.4/32 flowid 1:b
                        EOF
                        """);
    }

    @Test
    void clearingRemovesOnlyTheRootOfTheInterfaceWithTheAddress() throws Exception {
        assertThat(Shaping.clearScript(InetAddress.getByName("198.18.7.2")))
                .endsWith("tc qdisc del dev \"$IF\" root 2>/dev/null || true\n");
    }
}
