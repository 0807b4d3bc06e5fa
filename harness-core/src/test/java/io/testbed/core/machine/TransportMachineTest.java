package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import io.testbed.core.spi.Transport;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parts of {@link TransportMachine} that never reach the machine. */
class TransportMachineTest {

    /** A transport for checks that must fail before anything is sent. */
    private static final class Unreachable implements Transport {
        @Override
        public String target() {
            return "nowhere";
        }

        @Override
        public Execution exec(String command, byte[] stdin) {
            throw new AssertionError("nothing may be sent");
        }

        @Override
        public void upload(Path local, String remotePath) {
            throw new AssertionError("nothing may be sent");
        }

        @Override
        public void download(String remotePath, Path local) {
            throw new AssertionError("nothing may be sent");
        }

        @Override
        public void awaitReady(Duration timeout) {
            throw new AssertionError("nothing may be sent");
        }

        @Override
        public void dropConnection() {}

        @Override
        public void close() {}
    }

    private static TransportMachine machine() throws Exception {
        return TransportMachine.builder("web", new Unreachable())
                .address("lan", InetAddress.getByName("198.18.4.2"))
                .address("wan", InetAddress.getByName("198.18.5.2"))
                .roles(Set.of("frontend"))
                .properties(Map.of("zone", "a"))
                .build();
    }

    @Test
    void looksUpAddressesByNetworkAndNamesTheKnownNetworksOtherwise() throws Exception {
        TransportMachine web = machine();
        assertThat(web.address("wan").getHostAddress()).isEqualTo("198.18.5.2");
        assertThatThrownBy(() -> web.address("dmz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Machine 'web' has no address on network 'dmz'")
                .hasMessageContaining("[lan, wan]");
        assertThat(web.roles()).containsExactly("frontend");
        assertThat(web.properties()).containsEntry("zone", "a");
    }

    @Test
    void rejectsBadSettingsBeforeSendingAnything() throws Exception {
        TransportMachine web = machine();
        assertThatThrownBy(() -> web.setSysctl("net.ipv4..x", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> web.writeSysfs("/etc/passwd", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> web.setSysctl("net.ipv4.ip_forward", "1\n0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single line");
        assertThatThrownBy(() -> web.waitForPort(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port (0)");
        assertThatThrownBy(() -> web.waitForPort(22, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        web.restoreSettings(); // nothing recorded, nothing sent
        web.killJobs(); // no jobs, nothing sent
    }

    @Test
    void waitForPortNeedsAnAddress() {
        TransportMachine lonely =
                TransportMachine.builder("lonely", new Unreachable()).build();
        assertThatThrownBy(() -> lonely.waitForPort(22, Duration.ofSeconds(1)))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("'lonely' has no address");
    }

    @Test
    void builderRejectsBlankNamesAndDuplicateNetworks() throws Exception {
        assertThatThrownBy(() -> TransportMachine.builder(" ", new Unreachable()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("machine name");
        InetAddress address = InetAddress.getByName("198.18.4.2");
        assertThatThrownBy(() -> TransportMachine.builder("web", new Unreachable())
                        .address("lan", address)
                        .address("lan", address))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has an address on network 'lan'");
    }
}
