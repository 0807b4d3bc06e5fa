package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DoctorCommandTest {

    @Test
    void aLinePerCheckItsFixBelowAndASummary() {
        assertThat(DoctorCommand.render(List.of(
                        Check.pass("libvirtd", "libvirt 9.0.0 answers at qemu:///system"),
                        Check.warn("kernel: netem", "missing", "modprobe sch_netem"),
                        Check.fail("dockerd", "no answer", "start dockerd"))))
                .containsExactly(
                        "PASS  libvirtd       libvirt 9.0.0 answers at qemu:///system",
                        "WARN  kernel: netem  missing",
                        "                     fix: modprobe sch_netem",
                        "FAIL  dockerd        no answer",
                        "                     fix: start dockerd",
                        "doctor: 1 passed, 1 warning(s), 1 failed");
    }
}
