package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.provider.libvirt.LibvirtProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The command on one tiny VM: {@code ssh} logs in over OpenSSH with the prefix's key and accepts only the host key
 * Testbed pinned for the machine, and {@code logs} shows the VM's serial console.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmCliIT {

    private EnvironmentHandle handle;
    private Prefix prefix;

    @BeforeAll
    void provision() {
        TestbedConfig config = TestbedConfig.of(Map.of(
                TestbedConfig.PREFIX_ROOT,
                Path.of("target/testbed-vm-it").toAbsolutePath().toString(),
                TestbedConfig.PROGRESS,
                "false"));
        EnvironmentSpec spec = new EnvironmentSpec(
                "cli-vm",
                List.of(NetworkSpec.leased("lan")),
                List.of(new MachineSpec(
                        "vm", LibvirtProvider.NAME, "", 1, 128, List.of("lan"), List.of(), Set.of(), Map.of())));
        handle = Engine.create(config).provision(spec, event -> {});
        prefix = Prefix.open(handle.environment().prefixDir());
    }

    @AfterAll
    void tearDown() {
        if (handle != null) {
            handle.close();
        }
    }

    @Test
    void sshRunsCommandsOverOpenSshWithThePinnedHostKey() {
        Cli.Run ok = Cli.run("ssh", prefix.shortId(), "vm", "true");
        assertThat(ok.status()).as(ok.toString()).isZero();
        Cli.Run hostname = Cli.run("ssh", "cli-vm", "vm", "hostname");
        assertThat(hostname.out()).as(hostname.toString()).isEqualTo("vm\n");
        assertThat(Cli.run("ssh", "cli-vm", "vm", "exit", "7").status()).isEqualTo(7);
    }

    @Test
    void sshRefusesAHostKeyOtherThanThePinnedOne() throws Exception {
        Path pinned = Path.of(LibvirtProvider.hostKeyFile(prefix.dir(), "vm") + ".pub");
        String original = Files.readString(pinned);
        Path other = Files.createTempDirectory("testbed-other-key");
        try {
            Files.writeString(
                    pinned,
                    Files.readString(io.testbed.core.ssh.SshKeys.generate(other.resolve("k"), "x")
                            .publicKey()));
            Cli.Run refused = Cli.run("ssh", prefix.shortId(), "vm", "true");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(255);
            assertThat(refused.err()).containsIgnoringCase("host key");
        } finally {
            Files.writeString(pinned, original);
        }
    }

    @Test
    void logsShowTheVmsSerialConsole() {
        Cli.Run logs = Cli.run("logs", prefix.shortId(), "vm");

        assertThat(logs.status()).as(logs.toString()).isZero();
        assertThat(logs.out())
                .contains("==> console of vm: " + prefix.consoleLog("vm"))
                .contains("TESTBED-READY");
    }
}
