package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A VM provisioned through a remote libvirt connection: {@code qemu+libssh://} to this host's test sshd
 * (README, "The test sshd" and "Remote libvirt"), as the user {@code testbed}, which reaches libvirtd's
 * read-write socket through group {@code libvirt} ({@code scripts/setup-host.sh}, step libvirt-remote).
 *
 * <p>The URI is a constant, so the key and the known_hosts file sit at fixed paths relative to the module
 * (Failsafe's working directory); {@link TestSshdKey}, registered before Testbed's extension, writes them and
 * authorizes the key in the test sshd before the class is provisioned, and removes it after the teardown.
 * {@code qemu+libssh://} rather than {@code qemu+ssh://} because only the libssh transport honours
 * {@code known_hosts=} (libvirt 9.0's {@code ssh} transport reads {@code ~/.ssh/known_hosts} only), so the host
 * key is pinned without touching the user's files.
 */
@ExtendWith(TestSshdKey.class) // first: the key must be in place before Testbed connects
@Prefix(libvirtUri = RemoteLibvirtIT.URI)
@Network(name = "lan")
@VM(name = "solo", memoryMb = 128, networks = "lan")
class RemoteLibvirtIT {

    static final String URI = "qemu+libssh://testbed@127.0.0.1:2222/system?keyfile=" + TestSshdKey.KEY + "&known_hosts="
            + TestSshdKey.KNOWN_HOSTS + "&known_hosts_verify=normal&sshauth=privkey";

    @Test
    void aVmProvisionedOverTheRemoteConnectionRunsCommands(@Host("solo") Machine solo) throws Exception {
        assertThat(solo.run("uname -s")).succeeded().hasStdout("Linux");

        // The remote side of the connection: libvirt runs virt-ssh-helper (or nc) as the SSH user, which is
        // libvirtd's client. It exists only while Testbed's connection is open.
        // (-f: a process name is cut to 15 characters, "virt-ssh-helpe".)
        Process pgrep = new ProcessBuilder("pgrep", "-a", "-u", TestSshdKey.USER, "-f", "^(virt-ssh-helper|nc) ")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String found = new String(pgrep.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        org.assertj.core.api.Assertions.assertThat(pgrep.waitFor(10, TimeUnit.SECONDS))
                .isTrue();
        org.assertj.core.api.Assertions.assertThat(found)
                .as("virt-ssh-helper or nc running as %s (libvirt's remote end)", TestSshdKey.USER)
                .matches("(?s)\\d+ (virt-ssh-helper|nc) .*");
    }
}
