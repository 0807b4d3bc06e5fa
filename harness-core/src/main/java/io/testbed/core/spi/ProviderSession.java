package io.testbed.core.spi;

import java.util.List;
import org.apiguardian.api.API;

/**
 * A provider's connection for one environment. The engine calls it from several threads at once
 * (machines are provisioned in parallel), so implementations must be thread-safe.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface ProviderSession extends AutoCloseable {

    /**
     * Called once per environment, before any network or machine is created, with every machine this session will
     * create, in declaration order. A provider that chooses among things that already exist (inventory hosts) makes
     * its choice for all of them at once here and holds it (a lease) until {@link #close()}; it must release
     * whatever it took before throwing. The default does nothing.
     *
     * @throws io.testbed.core.TestbedException when the machines cannot be had (nothing fits, all busy, unreachable)
     */
    default void prepare(List<MachinePlan> machines) {}

    /** Creates and starts a network on its planned subnet. The returned resource owns it. */
    NetworkResource createNetwork(NetworkPlan plan);

    /**
     * Creates a machine (disks, definition) without starting it. Whatever this created before failing must
     * be removed before the exception propagates.
     */
    MachineResource createMachine(MachinePlan plan);

    /**
     * Releases the connection and whatever {@link #prepare} took; created resources are destroyed by the engine
     * before this is called.
     */
    @Override
    void close();
}
