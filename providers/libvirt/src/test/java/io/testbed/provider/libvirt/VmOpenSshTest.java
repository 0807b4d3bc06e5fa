package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.ssh.SshKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmOpenSshTest {

    @TempDir
    Path prefix;

    @Test
    void openSshUsesOnlyThePrefixKeyAndThePinnedHostKeyWithoutTheUsersConfigurationOrPrompts() {
        Path key = prefix.resolve("keys/id_ed25519");
        Path knownHosts = prefix.resolve("known_hosts");

        assertThat(VmOpenSsh.options(key, knownHosts))
                .containsExactly(
                        "-F",
                        "/dev/null",
                        "-i",
                        key.toString(),
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        "UserKnownHostsFile=" + knownHosts,
                        "-o",
                        "GlobalKnownHostsFile=/dev/null",
                        "-o",
                        "StrictHostKeyChecking=yes",
                        "-o",
                        "HostKeyAlgorithms=ssh-ed25519",
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "ConnectTimeout=10",
                        "-o",
                        "LogLevel=ERROR");
        assertThat(VmOpenSsh.destination("198.18.7.10")).isEqualTo("root@198.18.7.10");
    }

    @Test
    void theKnownHostsFileHoldsExactlyThePinnedKeyAtTheAddress() throws Exception {
        SshKeys.KeyFiles hostKey = SshKeys.generate(LibvirtProvider.hostKeyFile(prefix, "vm"), "testbed-host-vm");
        Path knownHosts = prefix.resolve("known_hosts");

        VmOpenSsh.writeKnownHosts(prefix, "vm", "198.18.7.10", knownHosts);

        String[] key = hostKey.publicLine().split(" ");
        assertThat(Files.readString(knownHosts)).isEqualTo("198.18.7.10 " + key[0] + " " + key[1] + "\n");
    }

    @Test
    void aMissingOrMalformedPinnedKeyIsRefusedNamingTheFile() throws Exception {
        Path knownHosts = prefix.resolve("known_hosts");

        assertThatThrownBy(() -> VmOpenSsh.writeKnownHosts(prefix, "gone", "198.18.7.10", knownHosts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no pinned host key for machine gone (" + LibvirtProvider.hostKeyFile(prefix, "gone")
                        + ".pub is missing or unreadable): no other key is trusted");
        Path bad = Path.of(LibvirtProvider.hostKeyFile(prefix, "bad") + ".pub");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "garbage\n");
        assertThatThrownBy(() -> VmOpenSsh.writeKnownHosts(prefix, "bad", "198.18.7.10", knownHosts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the pinned host key of machine bad (" + bad
                        + ") is not an OpenSSH public key line: 'garbage'");
        assertThat(knownHosts).doesNotExist();
    }
}
