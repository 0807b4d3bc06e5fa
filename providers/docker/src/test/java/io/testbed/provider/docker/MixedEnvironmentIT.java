package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spi.Provider;
import io.testbed.provider.libvirt.LibvirtProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM and a container on one network that libvirt creates (the VM is declared first, so the engine gives the
 * network to libvirt): the container joins the libvirt bridge with a veth pair and both reach each other by address,
 * also after a revert of the environment.
 */
class MixedEnvironmentIT {

    @TempDir
    Path temp;

    @Test
    void aContainerJoinsALibvirtNetworkAndReachesTheVm() throws Exception {
        // QEMU runs as libvirt-qemu and must reach the VM's disks in the prefix
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Engine engine = Engine.withProviders(
                DockerTestSupport.config(temp), List.<Provider>of(new LibvirtProvider(), new DockerProvider()));
        EnvironmentSpec spec = new EnvironmentSpec(
                "mixed",
                List.of(NetworkSpec.leased("lan")),
                List.of(
                        new MachineSpec("vm", "libvirt", "", 1, 256, List.of("lan"), List.of(), Set.of(), Map.of()),
                        DockerTestSupport.container("box", "lan")));
        String prefixId;
        try (EnvironmentHandle handle = engine.provision(spec, event -> {})) {
            Environment environment = handle.environment();
            prefixId = Prefix.open(environment.prefixDir()).id();
            Machine vm = environment.machine("vm");
            Machine box = environment.machine("box");
            String bridge = environment.network("lan").bridge();
            assertThat(Path.of("/sys/class/net", bridge, "bridge"))
                    .as("libvirt's bridge")
                    .isDirectory();
            assertThat(DockerTestSupport.leftovers(temp, prefixId))
                    .as("no Docker network for lan")
                    .noneMatch(o -> o.startsWith("network"));

            box.run("ping -c1 -W3 " + vm.address("lan").getHostAddress(), RunOptions.expectSuccess());
            vm.run("ping -c1 -W3 " + box.address("lan").getHostAddress(), RunOptions.expectSuccess());
            assertThat(vm.run("ip neigh show " + box.address("lan").getHostAddress())
                            .stdout())
                    .as("the VM sees the container's planned MAC")
                    .contains(
                            box.run("cat /sys/class/net/eth0/address").stdout().strip());

            box.run("touch /root/dirty", RunOptions.expectSuccess());
            environment.revert(Environment.BASELINE);
            assertThat(box.run("test -e /root/dirty").exitCode()).isNotZero();
            box.run("ping -c1 -W3 " + vm.address("lan").getHostAddress(), RunOptions.expectSuccess());
        }
        assertThat(DockerTestSupport.leftovers(temp, prefixId)).isEmpty();
    }
}
