package io.testbed.provider.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.ssh.SshTransport;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Probes a host's facts over SSH with the inventory's credentials ({@link FactProbe#COMMAND} through
 * {@link SshTransport}): one connection per probe, closed afterwards, bounded by the connect timeout
 * ({@value io.testbed.core.config.TestbedConfig#SSH_CONNECT_TIMEOUT}). A wrong host key fails at once.
 */
@API(status = API.Status.INTERNAL)
final class SshFactProbe implements FactProbe {

    private final Duration timeout;

    SshFactProbe(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public HostFacts probe(InventoryHost host) {
        try (SshTransport transport = HostShell.transport(host, timeout)) {
            transport.awaitReady(timeout);
            String output = HostShell.output(transport, FactProbe.COMMAND, timeout, "the fact probe");
            try {
                return HostFacts.parse(output);
            } catch (IllegalArgumentException e) {
                throw new TestbedException("host " + host.name() + ": " + e.getMessage(), e);
            }
        } catch (TestbedException e) {
            if (e.getMessage() != null && e.getMessage().contains(host.name())) {
                throw e;
            }
            throw new TestbedException("host " + host.name() + " (" + host.target() + "): " + e.getMessage(), e);
        }
    }
}
