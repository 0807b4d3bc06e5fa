package io.testbed.junit.local;

import io.testbed.core.TestNetwork;
import io.testbed.core.TestbedException;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.nio.file.Path;

/** One environment's session of the {@link LocalProvider}. */
final class LocalSession implements ProviderSession {

    private final ProviderContext context;
    private final Path prefixDir;

    LocalSession(ProviderContext context) {
        this.context = context;
        this.prefixDir = context.prefix().dir();
        LocalRecorder.record(prefixDir, "session open");
    }

    @Override
    public NetworkResource createNetwork(NetworkPlan plan) {
        String id = prefixDir.getFileName() + " network " + plan.name();
        LocalRecorder.record(prefixDir, "network " + plan.name() + " create");
        LocalRecorder.created(id);
        return new NetworkResource() {
            private boolean destroyed;

            @Override
            public String providerId() {
                return plan.objectName();
            }

            @Override
            public TestNetwork network() {
                return new TestNetwork(plan.name(), plan.cidr(), plan.gateway(), "local-" + plan.name());
            }

            @Override
            public synchronized void destroy() {
                if (!destroyed) {
                    destroyed = true;
                    LocalRecorder.record(prefixDir, "network " + plan.name() + " destroy");
                    LocalRecorder.destroyed(id);
                }
            }
        };
    }

    @Override
    public MachineResource createMachine(MachinePlan plan) {
        LocalRecorder.record(prefixDir, "machine " + plan.name() + " create");
        if ("create".equals(plan.spec().properties().get("local.fail"))) {
            throw new TestbedException("injected failure: machine " + plan.name() + " cannot be created");
        }
        return new LocalMachineResource(context.prefix(), plan, context.journal());
    }

    @Override
    public void close() {
        LocalRecorder.record(prefixDir, "session close");
    }
}
