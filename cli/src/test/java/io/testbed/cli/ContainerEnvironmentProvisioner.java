package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.provider.docker.DockerProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An environment of one tiny container on a leased network, provisioned through the engine as a test class's would be
 * — with the host-wide lease store and owner registry — under a prefix root of the ITs'. Its {@code main} is the JVM
 * that {@link KilledOwnerIT} kills: it provisions, prints {@code PROVISIONED <prefix>} and waits.
 */
public final class ContainerEnvironmentProvisioner {

    private ContainerEnvironmentProvisioner() {}

    static EnvironmentHandle provision(String name, Path prefixRoot) {
        TestbedConfig config = TestbedConfig.of(
                Map.of(TestbedConfig.PREFIX_ROOT, prefixRoot.toString(), TestbedConfig.PROGRESS, "false"));
        EnvironmentSpec spec = new EnvironmentSpec(
                name,
                List.of(NetworkSpec.leased("lan")),
                List.of(new MachineSpec(
                        "box",
                        DockerProvider.NAME,
                        "",
                        1,
                        128,
                        List.of("lan"),
                        List.of(),
                        Set.of(),
                        Map.of(),
                        ContainerOptions.defaults())));
        return Engine.create(config).provision(spec, event -> {});
    }

    /** {@code PREFIX_ROOT NAME}: provisions, says where, and waits to be killed. */
    public static void main(String[] args) throws InterruptedException {
        EnvironmentHandle handle = provision(args[1], Path.of(args[0]));
        System.out.println("PROVISIONED " + handle.environment().prefixDir());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
