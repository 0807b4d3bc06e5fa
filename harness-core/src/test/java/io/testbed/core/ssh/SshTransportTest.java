package io.testbed.core.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import net.schmizz.sshj.connection.channel.direct.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SshTransport} checks that need no server. */
class SshTransportTest {

    @TempDir
    Path dir;

    @Test
    void builderNamesWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> SshTransport.builder().user("u").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SshTransport.host(…)");
        assertThatThrownBy(() -> SshTransport.builder().port(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port (0)");
        assertThatThrownBy(() -> SshTransport.builder().connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout");
    }

    @Test
    void loadsTheKeySshKeysWritesAndRefusesAnUnreadableOne() throws Exception {
        SshKeys.KeyFiles key = SshKeys.generate(dir.resolve("id_ed25519"), "k");
        SshKeys.KeyFiles host = SshKeys.generate(dir.resolve("host"), "h");
        SshTransport transport = SshTransport.builder()
                .host("198.18.0.2")
                .user("root")
                .privateKey(key.privateKey())
                .hostKey(host.publicLine())
                .build();
        assertThat(transport.target()).isEqualTo("root@198.18.0.2:22");
        assertThat(transport.hostKey().fingerprint())
                .isEqualTo(PinnedHostKey.parse(host.publicLine()).fingerprint());
        transport.close();
        transport.close(); // idempotent
        assertThatThrownBy(() -> transport.exec("true", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");

        Path garbage = dir.resolve("garbage");
        Files.writeString(garbage, "not a key");
        assertThatThrownBy(() -> SshTransport.builder()
                        .host("h")
                        .user("u")
                        .privateKey(garbage)
                        .hostKey(host.publicLine())
                        .build())
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("Cannot load the SSH private key " + garbage);
    }

    @Test
    void reportsSignalsAsAShellDoes() {
        assertThat(SshTransport.signalStatus(Signal.KILL)).isEqualTo(137);
        assertThat(SshTransport.signalStatus(Signal.TERM)).isEqualTo(143);
        assertThat(SshTransport.signalStatus(Signal.INT)).isEqualTo(130);
    }
}
