package io.testbed.provider.libvirt;

import io.testbed.core.Environment;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A JVM for {@link ReaperIT}: provisions one VM, says where, then waits to be killed with SIGKILL. */
public final class KilledJvmProvisioner {

    private KilledJvmProvisioner() {}

    public static void main(String[] args) throws InterruptedException {
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, args[0]));
        EnvironmentSpec spec = new EnvironmentSpec(
                "doomed",
                List.of(NetworkSpec.leased("lan")),
                List.of(new MachineSpec("vm", "libvirt", "", 1, 128, List.of("lan"), List.of(), Set.of(), Map.of())));
        Environment environment =
                Engine.create(config).provision(spec, event -> {}).environment();
        System.out.println("PROVISIONED " + environment.prefixDir());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
