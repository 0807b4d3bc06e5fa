package io.testbed.core.ssh;

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
import java.util.stream.Collectors;

/**
 * The project's test sshd (see notes/SSHD.md): where it is, and a per-test key authorized on it for as long as
 * this object is open. Closing removes exactly the line it added from the authorized_keys file.
 */
public final class TestSshd implements AutoCloseable {

    public final String host = System.getProperty("testbed.it.sshd.host", "127.0.0.1");
    public final int port = Integer.getInteger("testbed.it.sshd.port", 2222);
    public final String user = System.getProperty("testbed.it.sshd.user", "testbed");
    public final Path hostKeyFile =
            Path.of(System.getProperty("testbed.it.sshd.hostKey", "/etc/testbed/sshd/ssh_host_ed25519_key.pub"));
    public final Path authorizedKeys =
            Path.of(System.getProperty("testbed.it.sshd.authorizedKeys", "/etc/testbed/sshd/authorized_keys/testbed"));
    public final SshKeys.KeyFiles key;

    private TestSshd(SshKeys.KeyFiles key) {
        this.key = key;
    }

    /** Generates a key under {@code dir} with SshKeys and appends its public line to the authorized_keys file. */
    public static TestSshd authorize(Path dir) {
        SshKeys.KeyFiles key = SshKeys.generate(dir.resolve("id_ed25519"), "testbed-it-" + UUID.randomUUID());
        TestSshd sshd = new TestSshd(key);
        sshd.edit(content ->
                (content.isEmpty() || content.endsWith("\n") ? content : content + "\n") + key.publicLine() + "\n");
        return sshd;
    }

    /** Appends the public line of an existing key (e.g. a prefix key) to the authorized_keys file. */
    public static TestSshd authorizeExisting(SshKeys.KeyFiles key) {
        TestSshd sshd = new TestSshd(key);
        sshd.edit(content ->
                (content.isEmpty() || content.endsWith("\n") ? content : content + "\n") + key.publicLine() + "\n");
        return sshd;
    }

    /** A transport builder for this sshd with the generated key and the real host key pinned. */
    public SshTransportBuilder transport() {
        return SshTransport.builder()
                .host(host)
                .port(port)
                .user(user)
                .privateKey(key.privateKey())
                .hostKey(PinnedHostKey.read(hostKeyFile));
    }

    @Override
    public void close() {
        edit(content -> content.lines()
                .filter(line -> !line.strip().equals(key.publicLine()))
                .map(line -> line + "\n")
                .collect(Collectors.joining()));
    }

    /** Rewrites the authorized_keys file in place under a file lock (other test JVMs may edit it too). */
    private void edit(java.util.function.UnaryOperator<String> change) {
        try (FileChannel channel =
                FileChannel.open(authorizedKeys, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock = channel.lock(); // released when the channel closes
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
                    "Cannot edit " + authorizedKeys + " (is the test sshd set up? run" + " scripts/setup-host.sh): "
                            + e,
                    e);
        }
    }

    /** Reads a small file fully (test convenience). */
    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
