package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code testbed doctor} on this host, whose daemons the set-up started: the prerequisites pass; pointed at a libvirt
 * or Docker socket that does not exist, or a port where no sshd listens, it fails naming it and exits 1. The shared
 * daemons are never stopped: other builds use them.
 */
class DoctorIT {

    @Test
    void thisHostsPrerequisitesPass() throws Exception {
        Cli.Run doctor = Cli.run("doctor", "--no-kvm-probe");

        assertThat(doctor.out())
                .as(doctor.toString())
                .containsPattern("(?m)^PASS  libvirtd +libvirt \\d+\\.\\d+\\.\\d+ answers at qemu:///system$")
                .containsPattern("(?m)^PASS  dockerd +Docker \\S+ \\(API \\S+\\) answers at ")
                .containsPattern("(?m)^PASS  test sshd +SSH-2\\.0-OpenSSH")
                .containsPattern("(?m)^PASS  lease store +/var/tmp/testbed/leases: ")
                .containsPattern("(?m)^PASS  kernel: bridge ")
                .containsPattern("(?m)^doctor: \\d+ passed, \\d+ warning\\(s\\), \\d+ failed$");
        JsonNode json = Json.mapper()
                .readTree(Cli.run("doctor", "--no-kvm-probe", "--json").out());
        assertThat(json.path("checks").size()).isGreaterThanOrEqualTo(11);
        assertThat(json.path("checks").get(0).path("item").asText()).isEqualTo("/dev/kvm");
    }

    @Test
    void aMissingLibvirtSocketFailsAndExitsNonZero() {
        Cli.Run doctor = Cli.run(
                "doctor",
                "--no-kvm-probe",
                "-D",
                "testbed.libvirt.uri=qemu:///system?socket=/nonexistent/libvirt-sock");

        assertThat(doctor.status()).as(doctor.toString()).isEqualTo(1);
        assertThat(doctor.out())
                .containsPattern(
                        "(?m)^FAIL  libvirtd +no answer at qemu:///system\\?socket=/nonexistent/libvirt-sock: ")
                .contains("fix: start virtlogd and libvirtd");
    }

    @Test
    void aMissingDockerSocketAndAPortWithoutSshdFail() {
        Cli.Run doctor = Cli.run(
                Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock"),
                "doctor",
                "--no-kvm-probe",
                "--sshd",
                "127.0.0.1:1");

        assertThat(doctor.status()).as(doctor.toString()).isEqualTo(1);
        assertThat(doctor.out())
                .containsPattern("(?m)^FAIL  dockerd +no answer at unix:///nonexistent/docker.sock: ")
                .containsPattern("(?m)^FAIL  test sshd +nothing answers at 127.0.0.1:1 ")
                .containsPattern("(?m)^PASS  libvirtd ");
    }

    @Test
    void theLauncherRunsTheBuiltJar() {
        LocalCommand.Result version = LocalCommand.of(
                        Path.of("../scripts/testbed")
                                .toAbsolutePath()
                                .normalize()
                                .toString(),
                        "--version")
                .env("TESTBED_NO_BUILD", "1")
                .timeout(Duration.ofMinutes(1))
                .run();

        assertThat(version.stdout()).as(version.stderr()).startsWith("testbed 0.1.0-SNAPSHOT");
    }
}
