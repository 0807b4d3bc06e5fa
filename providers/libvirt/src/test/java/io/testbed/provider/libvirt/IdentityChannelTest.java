package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.ssh.SshKeys;
import io.testbed.images.SeedIso;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity a restored guest receives, and the host's end of the channel it travels on. */
class IdentityChannelTest {

    @TempDir
    Path directory;

    private SeedIso seed() {
        SshKeys.KeyFiles host = SshKeys.generate(directory.resolve("host_ed25519"), "host");
        SshKeys.KeyFiles client = SshKeys.generate(directory.resolve("client_ed25519"), "client");
        try {
            return SeedIso.builder()
                    .hostname("vm1")
                    .authorizedKey(client.publicLine())
                    .hostKey(host)
                    .nic(new SeedIso.Nic(
                            "52:54:00:00:00:01",
                            InetAddress.getByName("198.18.0.2"),
                            24,
                            InetAddress.getByName("198.18.0.1"),
                            0))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theIdentityIsTheSeedsShellFilePlusTimeRandomnessMachineIdAndAnEndMark() throws IOException {
        SeedIso seed = seed();
        String first = IdentityChannel.identity(seed, Instant.ofEpochSecond(1_800_000_000L));
        String second = IdentityChannel.identity(seed, Instant.ofEpochSecond(1_800_000_000L));
        Path file = directory.resolve("identity.env");
        Files.writeString(file, first);

        // the guest sources it with its shell
        String sourced = LocalCommand.of(
                        "sh",
                        "-c",
                        ". \"$1\"; printf '%s|%s|%s|%s|%s' \"$seed_hostname\" \"$seed_time\" \"$seed_nic0_mac\""
                                + " \"${#seed_random}\" \"$seed_end\"",
                        "sh",
                        file.toString())
                .check("source the identity")
                .stdout();

        assertThat(first).startsWith(seed.shellFile()).endsWith("\nseed_end=1\n");
        assertThat(sourced).isEqualTo("vm1|1800000000|52:54:00:00:00:01|64|1");
        assertThat(random(first)).as("fresh randomness for every machine").isNotEqualTo(random(second));
        assertThat(line(first, "seed_machine_id=")).isNotEqualTo(line(second, "seed_machine_id="));
    }

    private static String random(String identity) {
        return line(identity, "seed_random=");
    }

    private static String line(String identity, String prefix) {
        return identity.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void findsTheSocketLibvirtPlacedInTheLiveDocument() {
        String live = "<domain><devices><channel type='unix'><source mode='bind'"
                + " path='/run/libvirt/qemu/channel/1-tb-x/org.qemu.guest_agent.0'/><target type='virtio'"
                + " name='org.qemu.guest_agent.0'/></channel><channel type='unix'><source mode='bind'"
                + " path='/run/libvirt/qemu/channel/1-tb-x/io.testbed.identity'/><target type='virtio'"
                + " name='io.testbed.identity' state='disconnected'/></channel></devices></domain>";

        assertThat(IdentityChannel.socketPath(live))
                .isEqualTo(Path.of("/run/libvirt/qemu/channel/1-tb-x/io.testbed.identity"));
        assertThatThrownBy(() -> IdentityChannel.socketPath("<domain><devices/></domain>"))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining(DomainXml.IDENTITY_CHANNEL);
    }

    @Test
    void sendsTheWholeIdentityAndClosesSoTheReaderSeesItsEnd() throws Exception {
        Path socket = directory.resolve("s");
        String identity = "seed_hostname='vm1'\n" + "x".repeat(100_000) + "\nseed_end=1\n";
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel guest = server.accept()) {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    ByteBuffer buffer = ByteBuffer.allocate(4096);
                    while (guest.read(buffer) >= 0) {
                        all.write(buffer.array(), 0, buffer.position());
                        buffer.clear();
                    }
                    return all.toString(StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });

            IdentityChannel.connect(socket, Duration.ofSeconds(5)).send(identity);

            assertThat(received.get()).isEqualTo(identity);
        }
    }

    @Test
    void aSocketThatNeverAppearsFailsAfterTheTimeoutNamingIt() {
        Path missing = directory.resolve("missing");
        assertThatThrownBy(() -> IdentityChannel.connect(missing, Duration.ofMillis(200)))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining(missing.toString());
    }
}
