package io.testbed.provider.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.spi.Transport;
import java.time.Duration;
import org.apiguardian.api.API;

/** Runs one harness command (not a test's) on an existing host and returns what it printed. */
@API(status = API.Status.INTERNAL)
final class HostShell {

    private HostShell() {}

    /**
     * Runs {@code command} through {@code transport} and returns its standard output.
     *
     * @throws TestbedException naming {@code what}, the host and the exit status or the time waited
     */
    static String output(Transport transport, String command, Duration timeout, String what) {
        Transport.Outcome outcome = transport.run(command, null, timeout);
        if (outcome.timedOut()) {
            throw new TestbedException(
                    what + " on " + transport.target() + " did not finish within " + timeout.toSeconds() + " s");
        }
        if (outcome.exitStatus() != 0) {
            throw new TestbedException(what + " on " + transport.target() + " exited with " + outcome.exitStatus()
                    + ": " + outcome.stderrText().strip());
        }
        return outcome.stdoutText();
    }

    /** A transport to {@code host} as the inventory says: its address, port, user, key and pinned host key. */
    static io.testbed.core.ssh.SshTransport transport(InventoryHost host, Duration connectTimeout) {
        return io.testbed.core.ssh.SshTransport.builder()
                .host(host.address())
                .port(host.port())
                .user(host.user())
                .privateKey(host.privateKey())
                .hostKey(host.hostKey())
                .reconnectTimeout(connectTimeout)
                .build();
    }
}
