package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.ssh.SshKeys;
import io.testbed.provider.libvirt.LibvirtProvider;
import io.testbed.provider.libvirt.VmOpenSsh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineAccessTest {

    @TempDir
    Path temp;

    @Test
    void aVmIsReachedOverOpenSshWithThePrefixKeyAndOnlyItsPinnedHostKey() throws Exception {
        Prefix prefix = Prefix.create(temp, "web");
        SshKeys.KeyFiles hostKey = SshKeys.generate(LibvirtProvider.hostKeyFile(prefix.dir(), "vm"), "testbed-host-vm");
        EnvironmentInfo environment =
                Environments.of("web", prefix.id(), prefix.dir().toString());
        Map<String, String> addresses = new LinkedHashMap<>();
        addresses.put("lan", "198.18.7.10"); // the first network: the one the provider reaches the VM on
        addresses.put("wan", "198.18.8.10");
        PrefixResource vm = Environments.machine("vm", "libvirt", "RUNNING", "tb-x-vm", addresses);
        Path knownHosts = temp.resolve("known_hosts");

        MachineAccess.writeKnownHosts(environment, vm, knownHosts);

        String[] key = hostKey.publicLine().split(" ");
        assertThat(Files.readString(knownHosts)).isEqualTo("198.18.7.10 " + key[0] + " " + key[1] + "\n");
        List<String> expected = new java.util.ArrayList<>(List.of("ssh"));
        expected.addAll(VmOpenSsh.options(prefix.keyFile(), knownHosts)); // their content: VmOpenSshTest
        expected.addAll(List.of("root@198.18.7.10", "--", "uname -a"));
        assertThat(MachineAccess.commandLine(environment, vm, List.of("uname", "-a"), knownHosts, false))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void aContainerIsReachedThroughDockerExecWithATerminalOnlyForAnInteractiveShell() {
        EnvironmentInfo environment = Environments.of("web", "3f2a9c1e-1", "/p/web-3f2a9c1e");
        PrefixResource box = environment.machine("box").orElseThrow();

        assertThat(MachineAccess.commandLine(environment, box, List.of(), null, true))
                .containsExactly("docker", "exec", "-i", "-t", "3f2a9c1e77", "sh");
        assertThat(MachineAccess.commandLine(environment, box, List.of(), null, false))
                .containsExactly("docker", "exec", "-i", "3f2a9c1e77", "sh");
        assertThat(MachineAccess.commandLine(environment, box, List.of("cat", "/etc/hostname"), null, true))
                .containsExactly("docker", "exec", "-i", "3f2a9c1e77", "sh", "-c", "cat /etc/hostname");
    }

    @Test
    void aMachineThatDoesNotRunOrHasNoShellIsRefusedNamingWhy() {
        EnvironmentInfo environment = Environments.of("web", "3f2a9c1e-1", "/p/web-3f2a9c1e");
        PrefixResource gone = Environments.machine("box", "docker", "DESTROYED", "3f2a", Map.of());
        PrefixResource host = Environments.machine("box", "ssh", "RUNNING", "host1", Map.of("lan", "198.18.7.9"));

        assertThatThrownBy(() -> MachineAccess.commandLine(environment, gone, List.of(), null, false))
                .hasMessage("machine box of web is DESTROYED, not RUNNING: there is no shell to open");
        assertThatThrownBy(() -> MachineAccess.commandLine(environment, host, List.of(), null, false))
                .hasMessage("machine box of web belongs to provider 'ssh'; testbed ssh reaches libvirt machines"
                        + " (OpenSSH) and docker machines (docker exec)");
        PrefixResource vm = Environments.machine("vm", "libvirt", "RUNNING", "tb-x-vm", Map.of("lan", "198.18.7.10"));
        assertThatThrownBy(() -> MachineAccess.writeKnownHosts(environment, vm, temp.resolve("kh")))
                .hasMessageStartingWith("no pinned host key for machine vm (")
                .hasMessageEndingWith("is missing or unreadable): no other key is trusted");
    }
}
