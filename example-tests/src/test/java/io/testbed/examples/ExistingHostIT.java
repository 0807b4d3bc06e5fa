package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.SshHost;
import io.testbed.junit.VM;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A machine that already exists, asked for by what it must offer, next to a VM Testbed creates.
 *
 * <p>Shows:
 * <ul>
 *   <li>{@link SshHost @SshHost}: a host from the inventory ({@code src/test/resources/testbed-inventory.yaml}),
 *       chosen by requirements — {@code memory} and {@code cpus} are probed over SSH because the inventory does not
 *       declare them — and by role; it is leased to this class alone until the class ends;</li>
 *   <li>the existing host is a {@link Machine} like the VM: the same {@code run}, jobs and properties, with the
 *       inventory's properties and its name as {@code hostname}, and its NICs' addresses by network;</li>
 *   <li>between tests the VM is reverted to its snapshot, while the existing host is only cleaned up: the jobs a
 *       test started are killed (its files stay: an existing host is never reverted, rebooted or reinstalled).</li>
 * </ul>
 * The inventory lists this host's test sshd ({@code scripts/setup-host.sh}); {@link TestSshdKey} authorizes a
 * per-run key there. On your own machines you list your hosts and keys instead and drop that extension.
 */
@ExtendWith(TestSshdKey.class) // first: the inventory's key must exist before Testbed reads the inventory
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Network(name = "lan")
@VM(name = "vm", memoryMb = 128, networks = "lan")
@SshHost(
        name = "lab",
        requires = {"cpus >= 1", "memory >= 256 MiB", "hostname ~ ^local"},
        roles = "lab")
class ExistingHostIT {

    /** Set by {@code aTestLeavesAJobRunningAndChangesTheVm}: the last test would pass vacuously without it. */
    static boolean jobLeftRunning;

    @Test
    @Order(1)
    void theExistingHostIsAMachineLikeTheVm(@Host("lab") Machine lab, @Host("vm") Machine vm) {
        assertThat(lab.run("id -un")).succeeded().hasStdout(TestSshdKey.USER);
        assertThat(lab.properties()).containsEntry("hostname", "local-sshd").containsEntry("purpose", "example");
        assertThat(lab.roles()).contains("lab");
        assertThat(lab.address("loopback").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(vm.run("uname -s")).succeeded().hasStdout("Linux");
    }

    @Test
    @Order(2)
    void aTestLeavesAJobRunningAndChangesTheVm(@Host("lab") Machine lab, @Host("vm") Machine vm) {
        Job job = lab.start("sleep 6123");
        assertThat(job.finished()).isFalse();
        vm.runOk("echo changed > /root/marker");
        jobLeftRunning = true;
    }

    @Test
    @Order(3)
    void theNextTestFindsTheJobKilledAndTheVmReverted(@Host("lab") Machine lab, @Host("vm") Machine vm) {
        assertThat(jobLeftRunning)
                .as("aTestLeavesAJobRunningAndChangesTheVm ran before this test (run the whole class)")
                .isTrue();
        // [3]: the pattern must not match pgrep's own shell, whose command line holds the pattern
        assertThat(lab.run("pgrep -u \"$(id -u)\" -f 'sleep 612[3]'")).failedWithExitCode(1);
        assertThat(vm.run("test -e /root/marker")).failedWithExitCode(1);
    }
}
