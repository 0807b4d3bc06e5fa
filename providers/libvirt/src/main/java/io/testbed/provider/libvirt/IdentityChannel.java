package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.internal.support.ShellQuoting;
import io.testbed.images.SeedIso;
import java.io.IOException;
import java.io.StringReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The host's end of a domain's identity channel ({@link DomainXml#IDENTITY_CHANNEL}): a UNIX socket that QEMU
 * listens on and libvirt places, connected to the guest's virtio-serial port. Protocol: the host connects, writes
 * the identity and closes; the guest reads until the end of the stream and applies it (the tiny template's
 * {@code rcS}). A guest waiting for an identity while nobody is connected reads an empty stream and tries again.
 *
 * <p>The identity is the seed's {@code testbed.env} (hostname, keys, NICs by MAC, name servers: what a cold boot
 * reads from the seed ISO) plus what only a restored guest needs: the time ({@code seed_time}, epoch seconds), 32
 * bytes of fresh randomness for the kernel's pool ({@code seed_random}, hex), a machine-id ({@code
 * seed_machine_id}) and the end mark {@code seed_end=1}, by which the guest knows it has read it all.
 */
final class IdentityChannel implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SocketChannel socket;

    private IdentityChannel(SocketChannel socket) {
        this.socket = socket;
    }

    /** The socket's path in a live domain document, which libvirt fills in when the domain starts. */
    static Path socketPath(String liveXml) {
        try {
            NodeList channels = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new InputSource(new StringReader(liveXml)))
                    .getElementsByTagName("channel");
            for (int i = 0; i < channels.getLength(); i++) {
                Element channel = (Element) channels.item(i);
                Element target =
                        (Element) channel.getElementsByTagName("target").item(0);
                Element source =
                        (Element) channel.getElementsByTagName("source").item(0);
                if (target != null
                        && DomainXml.IDENTITY_CHANNEL.equals(target.getAttribute("name"))
                        && source != null
                        && !source.getAttribute("path").isEmpty()) {
                    return Path.of(source.getAttribute("path"));
                }
            }
        } catch (Exception malformed) {
            throw new TestbedException("Cannot read the live domain document: " + malformed, malformed);
        }
        throw new TestbedException("The running domain has no socket for channel " + DomainXml.IDENTITY_CHANNEL);
    }

    /**
     * Connects to the socket at {@code path}, retrying while QEMU has not created it yet.
     *
     * @throws TestbedException when it cannot within {@code timeout}
     */
    static IdentityChannel connect(Path path, Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        while (true) {
            SocketChannel socket = null;
            try {
                socket = SocketChannel.open(StandardProtocolFamily.UNIX);
                socket.connect(UnixDomainSocketAddress.of(path));
                return new IdentityChannel(socket);
            } catch (IOException e) {
                closeQuietly(socket);
                if (deadline.expired()) {
                    throw new TestbedException(
                            "Cannot connect to the identity channel " + path + " within " + timeout.toMillis() + " ms: "
                                    + e,
                            e);
                }
                try {
                    deadline.pause(Duration.ofMillis(20));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new TestbedException("Interrupted while connecting to " + path, interrupted);
                }
            }
        }
    }

    /** The identity text for a machine with {@code seed}, as of {@code now}. */
    static String identity(SeedIso seed, Instant now) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        byte[] machineId = new byte[16];
        RANDOM.nextBytes(machineId);
        return seed.shellFile()
                + "seed_time=" + ShellQuoting.quote(String.valueOf(now.getEpochSecond())) + "\n"
                + "seed_random=" + ShellQuoting.quote(HexFormat.of().formatHex(random)) + "\n"
                + "seed_machine_id=" + ShellQuoting.quote(HexFormat.of().formatHex(machineId)) + "\n"
                + "seed_end=1\n";
    }

    /** Writes the identity and closes the channel, which ends the guest's read. */
    void send(String identity) {
        ByteBuffer bytes = ByteBuffer.wrap(identity.getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                socket.write(bytes);
            }
        } catch (IOException e) {
            throw new TestbedException("Cannot write the identity to the guest: " + e, e);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(SocketChannel socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
