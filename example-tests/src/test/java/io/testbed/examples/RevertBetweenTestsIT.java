package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.VM;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Snapshot and revert between tests: every test starts from the same machine state, however much the test before
 * it changed — without a reboot.
 *
 * <p>Shows:
 * <ul>
 *   <li>{@link Prefix @Prefix} naming the environment and its revert policy ({@link Revert#AFTER_EACH_TEST}, the
 *       default, spelt out here): right after provisioning the harness takes a {@link Environment#BASELINE baseline}
 *       snapshot of memory and disks, and reverts to it after every test (≈ 0.6 s per VM under TCG);</li>
 *   <li>a test that changes files, the hostname and a running process, and the next test — ordered explicitly with
 *       {@link TestMethodOrder @TestMethodOrder} — proving it sees none of it;</li>
 *   <li>that the revert restores the running machine rather than rebooting it: the kernel's boot id stays the
 *       same;</li>
 *   <li>named snapshots within a test with {@link Environment#snapshot} and {@link Environment#revert}, the
 *       {@code Environment} injected by type.</li>
 * </ul>
 */
@Prefix(name = "revert-demo", revert = Revert.AFTER_EACH_TEST)
@Network(name = "lan")
@VM(name = "box", memoryMb = 128, networks = "lan")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RevertBetweenTestsIT {

    /** The boot id of the kernel as provisioned; drawn anew at every boot. */
    static String bootId;

    /** Set by {@code aTestChangesTheMachine}: the next test would pass vacuously without it (when run alone). */
    static boolean machineChanged;

    @BeforeAll
    static void rememberTheBoot(@Host("box") Machine box) {
        bootId = bootId(box);
    }

    @Test
    @Order(1)
    void aTestChangesTheMachine(@Host("box") Machine box) {
        box.runOk("echo 'left by the first test' > /root/note");
        box.runOk("hostname changed-by-test");
        box.runOk("sleep 3600 > /dev/null 2>&1 &"); // a process outside the harness's jobs

        assertThat(box).hasFile("/root/note");
        assertThat(box.run("hostname")).hasStdout("changed-by-test");
        assertThat(box.run("pidof sleep")).succeeded();
        machineChanged = true;
    }

    @Test
    @Order(2)
    void theNextTestStartsFromTheBaseline(@Host("box") Machine box) {
        assertThat(machineChanged)
                .as("aTestChangesTheMachine ran before this test (run the whole class)")
                .isTrue();
        assertThat(box.run("test -e /root/note")).failed();
        assertThat(box.run("hostname")).hasStdout("box");
        assertThat(box.run("pidof sleep")).failed();
        // reverted in place, not rebooted: the same kernel is still running
        assertThat(bootId(box)).isEqualTo(bootId);
    }

    @Test
    @Order(3)
    void namedSnapshotsWithinATest(@Host("box") Machine box, Environment environment) {
        box.runOk("echo v1 > /root/config");
        environment.snapshot("configured");

        box.runOk("echo v2 > /root/config && rm -rf /etc/init.d");
        environment.revert("configured");

        assertThat(box.run("cat /root/config")).hasStdout("v1");
        assertThat(box).hasFile("/etc/init.d/rcS");
    }

    private static String bootId(Machine machine) {
        return machine.runOk("cat /proc/sys/kernel/random/boot_id").stdout().strip();
    }
}
