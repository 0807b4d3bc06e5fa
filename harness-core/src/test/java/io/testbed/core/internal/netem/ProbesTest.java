package io.testbed.core.internal.netem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProbesTest {

    @Test
    void parsesBusyboxPing() {
        Probes.Ping ping = Probes.parsePing("""
                PING 198.18.0.3 (198.18.0.3): 56 data bytes
                64 bytes from 198.18.0.3: seq=0 ttl=64 time=101.512 ms
                64 bytes from 198.18.0.3: seq=2 ttl=64 time=104.100 ms
                64 bytes from 198.18.0.3: seq=3 ttl=64 time=102.000 ms

                --- 198.18.0.3 ping statistics ---
                4 packets transmitted, 3 packets received, 25% packet loss
                round-trip min/avg/max = 101.512/102.537/104.100 ms
                """);

        assertThat(ping.sent()).isEqualTo(4);
        assertThat(ping.received()).isEqualTo(3);
        assertThat(ping.medianMs()).isEqualTo(102.0);
        assertThat(ping.lossPercent()).isEqualTo(25.0);
    }

    @Test
    void everyProbeLostHasNoMedian() {
        Probes.Ping ping = Probes.parsePing("10 packets transmitted, 0 packets received, 100% packet loss\n");

        assertThat(ping.medianMs()).isNaN();
        assertThat(ping.lossPercent()).isEqualTo(100.0);
    }

    @Test
    void theReceiverTimesFirstByteToEnd() {
        assertThat(Probes.parseRate("100.00 500000 104.00\n")).hasValue(1_000_000.0);
        assertThat(Probes.parseRate("garbage")).isEmpty();
        assertThat(Probes.parseRate("5.0 10 5.0")).isEmpty();
    }
}
