package io.testbed.examples;

import io.testbed.core.ssh.SshKeys;
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
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A per-run key authorized in this host's test sshd (README, "The test sshd") while a class runs: before the class
 * it writes the key to {@value #KEY} and a known_hosts file pinning the sshd's host key to {@value #KNOWN_HOSTS}
 * (paths relative to the module, Failsafe's working directory) and appends the public key to the sshd's
 * authorized_keys; after the class it removes exactly that line. Register it before Testbed's annotations
 * ({@code @ExtendWith(TestSshdKey.class)} first on the class), so the key exists when Testbed reads it.
 *
 * <p>On a machine of your own you would not need this: your inventory names your key and your hosts' keys.
 */
final class TestSshdKey implements BeforeAllCallback, AfterAllCallback {

    static final String KEY = "target/test-sshd/id_ed25519";
    static final String KNOWN_HOSTS = "target/test-sshd/known_hosts";
    static final String USER = System.getProperty("testbed.it.sshd.user", "testbed");
    static final String HOST = System.getProperty("testbed.it.sshd.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("testbed.it.sshd.port", 2222);
    private static final Path HOST_KEY =
            Path.of(System.getProperty("testbed.it.sshd.hostKey", "/etc/testbed/sshd/ssh_host_ed25519_key.pub"));
    private static final Path AUTHORIZED_KEYS =
            Path.of(System.getProperty("testbed.it.sshd.authorizedKeys", "/etc/testbed/sshd/authorized_keys/testbed"));

    private String publicLine;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path key = Path.of(KEY);
        Files.createDirectories(key.getParent());
        Files.deleteIfExists(key);
        Files.deleteIfExists(Path.of(KEY + ".pub"));
        publicLine =
                SshKeys.generate(key, "testbed-example-" + UUID.randomUUID()).publicLine();
        String[] hostKey = Files.readString(HOST_KEY).strip().split("\\s+");
        Files.writeString(Path.of(KNOWN_HOSTS), "[" + HOST + "]:" + PORT + " " + hostKey[0] + " " + hostKey[1] + "\n");
        edit(content -> (content.isEmpty() || content.endsWith("\n") ? content : content + "\n") + publicLine + "\n");
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
                    "Cannot edit " + AUTHORIZED_KEYS + " (is the test sshd set up? run scripts/setup-host.sh): " + e,
                    e);
        }
    }
}
