package io.testbed.core.spi;

import org.apiguardian.api.API;

/**
 * A provider's connection for one environment. The engine calls it from several threads at once
 * (machines are provisioned in parallel), so implementations must be thread-safe.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface ProviderSession extends AutoCloseable {

    /** Creates and starts a network on its planned subnet. The returned resource owns it. */
    NetworkResource createNetwork(NetworkPlan plan);

    /**
     * Creates a machine (disks, definition) without starting it. Whatever this created before failing must
     * be removed before the exception propagates.
     */
    MachineResource createMachine(MachinePlan plan);

    /** Releases the connection; created resources are destroyed by the engine before this is called. */
    @Override
    void close();
}
