package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed connection tells the user to do, for a local and a remote libvirt, in and outside a checkout. */
class LibvirtConnectionTest {

    @TempDir
    Path temp;

    @Test
    void aLocalUriInACheckoutNamesTheCheckoutsSetUpScript() throws Exception {
        Path script = Files.createDirectories(temp.resolve("scripts")).resolve("setup-host.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Path module = Files.createDirectories(temp.resolve("providers/libvirt"));
        assertThat(LibvirtConnection.setupScript(module)).isEqualTo(script);
        assertThat(LibvirtConnection.advice("qemu:///system", LibvirtConnection.setupScript(module)))
                .isEqualTo("start the daemons virtlogd and libvirtd (`bash " + script
                        + "`, as root, installs and starts them);"
                        + " check with `virsh -c qemu:///system list`; or point testbed.libvirt.uri at another"
                        + " libvirt");
    }

    @Test
    void aLocalUriInAUsersProjectPointsAtTheTestbedRepository() {
        assertThat(LibvirtConnection.setupScript(temp)).isNull();
        assertThat(LibvirtConnection.advice("qemu:///system", null))
                .isEqualTo(
                        "start the daemons virtlogd and libvirtd (`bash scripts/setup-host.sh` of the Testbed repository, as"
                                + " root, installs and starts them); check with `virsh -c qemu:///system list`; or point"
                                + " testbed.libvirt.uri at another libvirt");
    }

    @Test
    void aRemoteSshUriAsksAboutTheRemoteDaemonAndTheLoginNotTheSetUpScript() {
        String advice = LibvirtConnection.advice("qemu+ssh://tester@lab.example:2222/system", Path.of("/x"));
        assertThat(advice)
                .isEqualTo("check that libvirtd (and virtlogd) run on lab.example, that this user logs in"
                        + " there over SSH without a password prompt (a key in ~/.ssh or the ssh-agent or given as ?keyfile=,"
                        + " the host in ~/.ssh/known_hosts or, for qemu+libssh://, in &known_hosts=) and that the remote user"
                        + " may use libvirt's read-write socket (root, or a member of libvirtd.conf's unix_sock_group with"
                        + " auth_unix_rw = \"none\": \"Unable to get system bus connection\" is polkit refusing it); check with"
                        + " `virsh -c qemu+ssh://tester@lab.example:2222/system list`");
        assertThat(advice).doesNotContain("setup-host.sh");
    }

    @Test
    void aRemoteLibsshUriGetsTheSameSshAdvice() {
        String uri = "qemu+libssh://tester@lab.example:2222/system?keyfile=k&known_hosts=kh";
        assertThat(LibvirtConnection.advice(uri, Path.of("/x")))
                .contains("over SSH without a password prompt")
                .contains("unix_sock_group")
                .doesNotContain("accept connections on this transport")
                .doesNotContain("setup-host.sh");
    }

    @Test
    void oneDaemonHasOneEndpointWhateverTheUriSpelling() {
        assertThat(LibvirtConnection.normalisedUri("QEMU+unix:///system/")).isEqualTo("qemu:///system");
        assertThat(LibvirtConnection.normalisedUri(" qemu:///system ")).isEqualTo("qemu:///system");
        assertThat(LibvirtConnection.normalisedUri("qemu+ssh://root@lab-1/system/"))
                .isEqualTo("qemu+ssh://root@lab-1/system");
        assertThat(LibvirtConnection.normalisedUri("qemu:///session")).isNotEqualTo("qemu:///system");
        assertThat(LibvirtConnection.normalisedUri("qemu:///system?socket=/tmp/other.sock"))
                .isEqualTo("qemu:///system?socket=/tmp/other.sock");
    }
}
