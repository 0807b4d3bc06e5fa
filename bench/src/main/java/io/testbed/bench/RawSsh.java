package io.testbed.bench;

import io.testbed.core.ssh.NoDelaySocketFactory;
import io.testbed.core.ssh.PinnedHostKey;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * The exec anchor: plain sshj, one persistent connection, one session channel per command, Nagle's algorithm off
 * (as Testbed's SSH transport), the host key pinned. Nothing of Testbed is used. Not thread-safe.
 */
final class RawSsh implements AutoCloseable {

    private final SSHClient client;

    private RawSsh(SSHClient client) {
        this.client = client;
    }

    /** Connects and authenticates as {@code user} with {@code privateKey}, accepting only {@code hostKeyLine}. */
    static RawSsh connect(InetAddress host, String user, Path privateKey, String hostKeyLine) {
        SSHClient client = new SSHClient(new DefaultConfig());
        try {
            client.setSocketFactory(NoDelaySocketFactory.INSTANCE);
            client.addHostKeyVerifier(PinnedHostKey.parse(hostKeyLine).verifier());
            client.connect(host, 22);
            client.authPublickey(user, client.loadKeys(privateKey.toString()));
            return new RawSsh(client);
        } catch (IOException e) {
            try {
                client.close();
            } catch (IOException ignored) {
                // the connection failed anyway
            }
            throw new BenchException("Raw sshj cannot log in to " + host.getHostAddress() + ": " + e, e);
        }
    }

    /** Runs {@code command} on a new session channel and returns its exit status. */
    int exec(String command) {
        try (Session session = client.startSession()) {
            Session.Command cmd = session.exec(command);
            cmd.join(30, TimeUnit.SECONDS);
            Integer status = cmd.getExitStatus();
            if (status == null) {
                throw new BenchException("Raw sshj: `" + command + "` gave no exit status within 30 s");
            }
            return status;
        } catch (IOException e) {
            throw new BenchException("Raw sshj: `" + command + "` failed: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException ignored) {
            // closing a connection to a VM about to be destroyed
        }
    }
}
