package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.core.ssh.SshKeys;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A VM provisioned through a remote libvirt connection: {@code qemu+libssh://} to this host's test sshd
 * (README, "The test sshd" and "Remote libvirt"), as the user {@code testbed}, which reaches libvirtd's
 * read-write socket through group {@code libvirt} ({@code scripts/setup-host.sh}, step libvirt-remote).
 *
 * <p>The URI is a constant, so the key and the known_hosts file sit at fixed paths relative to the module
 * (Failsafe's working directory); {@link AuthorizedKey}, registered before Testbed's extension, writes them and
 * authorizes the key in the test sshd before the class is provisioned, and removes it after the teardown.
 * {@code qemu+libssh://} rather than {@code qemu+ssh://} because only the libssh transport honours
 * {@code known_hosts=} (libvirt 9.0's {@code ssh} transport reads {@code ~/.ssh/known_hosts} only), so the host
 * key is pinned without touching the user's files.
 */
@ExtendWith(RemoteLibvirtIT.AuthorizedKey.class) // first: the key must be in place before Testbed connects
@Prefix(libvirtUri = RemoteLibvirtIT.URI)
@Network(name = "lan")
@VM(name = "solo", memoryMb = 128, networks = "lan")
class RemoteLibvirtIT {

    static final String KEY = "target/remote-libvirt-it/id_ed25519";
    static final String KNOWN_HOSTS = "target/remote-libvirt-it/known_hosts";
    static final String URI = "qemu+libssh://testbed@127.0.0.1:2222/system?keyfile=" + KEY + "&known_hosts="
            + KNOWN_HOSTS + "&known_hosts_verify=normal&sshauth=privkey";

    @Test
    void aVmProvisionedOverTheRemoteConnectionRunsCommands(@Host("solo") Machine solo) throws Exception {
        assertThat(solo.run("uname -s")).succeeded().hasStdout("Linux");

        // The remote side of the connection: libvirt runs virt-ssh-helper (or nc) as the SSH user, which is
        // libvirtd's client. It exists only while Testbed's connection is open.
        // (-f: a process name is cut to 15 characters, "virt-ssh-helpe".)
        Process pgrep = new ProcessBuilder("pgrep", "-a", "-u", AuthorizedKey.USER, "-f", "^(virt-ssh-helper|nc) ")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String found = new String(pgrep.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        org.assertj.core.api.Assertions.assertThat(pgrep.waitFor(10, TimeUnit.SECONDS))
                .isTrue();
        org.assertj.core.api.Assertions.assertThat(found)
                .as("virt-ssh-helper or nc running as %s (libvirt's remote end)", AuthorizedKey.USER)
                .matches("(?s)\\d+ (virt-ssh-helper|nc) .*");
    }

    /** A per-run key authorized in the test sshd while the class runs; its known_hosts pins the sshd's host key. */
    static final class AuthorizedKey implements BeforeAllCallback, AfterAllCallback {

        static final String USER = System.getProperty("testbed.it.sshd.user", "testbed");
        private static final String HOST = System.getProperty("testbed.it.sshd.host", "127.0.0.1");
        private static final int PORT = Integer.getInteger("testbed.it.sshd.port", 2222);
        private static final Path HOST_KEY =
                Path.of(System.getProperty("testbed.it.sshd.hostKey", "/etc/testbed/sshd/ssh_host_ed25519_key.pub"));
        private static final Path AUTHORIZED_KEYS = Path.of(
                System.getProperty("testbed.it.sshd.authorizedKeys", "/etc/testbed/sshd/authorized_keys/testbed"));

        private String publicLine;

        @Override
        public void beforeAll(ExtensionContext context) throws IOException {
            if (!URI.contains("//" + USER + "@" + HOST + ":" + PORT + "/")) {
                throw new IllegalStateException(URI + " does not name the test sshd " + USER + "@" + HOST + ":" + PORT);
            }
            Path key = Path.of(KEY);
            Files.deleteIfExists(key);
            Files.deleteIfExists(Path.of(KEY + ".pub"));
            publicLine = SshKeys.generate(key, "testbed-remote-libvirt-it-" + UUID.randomUUID())
                    .publicLine();
            String[] hostKey = Files.readString(HOST_KEY).strip().split("\\s+");
            Files.writeString(
                    Path.of(KNOWN_HOSTS), "[" + HOST + "]:" + PORT + " " + hostKey[0] + " " + hostKey[1] + "\n");
            edit(content ->
                    (content.isEmpty() || content.endsWith("\n") ? content : content + "\n") + publicLine + "\n");
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (publicLine != null) {
                edit(content -> content.lines()
                        .filter(line -> !line.strip().equals(publicLine))
                        .map(line -> line + "\n")
                        .collect(Collectors.joining()));
            }
        }

        /** Rewrites the authorized_keys file in place under a file lock (other test JVMs may edit it too). */
        private static void edit(UnaryOperator<String> change) {
            try (FileChannel channel =
                    FileChannel.open(AUTHORIZED_KEYS, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
                while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
                    // read all
                }
                String updated = change.apply(new String(buffer.array(), StandardCharsets.US_ASCII));
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(updated.getBytes(StandardCharsets.US_ASCII)), 0);
                channel.force(true);
                lock.release();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Cannot edit " + AUTHORIZED_KEYS + " (is the test sshd set up? run"
                                + " scripts/setup-host.sh): " + e,
                        e);
            }
        }
    }
}
