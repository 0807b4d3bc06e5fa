package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A VM and a container on ONE layer-2 network, with addresses from the same leased subnet.
 *
 * <p>Shows:
 * <ul>
 *   <li>{@link DockerHost @DockerHost} next to {@link VM @VM}: both are {@link Machine}s with the same API, injected
 *       the same way;</li>
 *   <li>the libvirt network's bridge carries the container too (Testbed joins it with a veth pair), so the VM and
 *       the container reach each other directly, by address;</li>
 *   <li>reverting between tests: the VM returns to its memory snapshot, the container is recreated from a commit
 *       of its file system (files come back; its processes restart).</li>
 * </ul>
 * No registry is involved: the container runs the tiny root file system of the VM template, imported locally.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Network(name = "lan")
@VM(name = "vm", memoryMb = 128, networks = "lan")
@DockerHost(name = "box", networks = "lan", env = "GREETING=hello from the container")
class VmAndContainerIT {

    /** Set by {@code bothAreChangedByATest}: the next test would pass vacuously without it (when run alone). */
    static boolean bothChanged;

    @Test
    @Order(1)
    void theVmAndTheContainerShareOneNetwork(@Host("vm") Machine vm, @Host("box") Machine box, TestNetwork lan) {
        assertThat(vm).canReach(box, lan);
        assertThat(box).canReach(vm, lan);
        assertThat(box.run("echo \"$GREETING\"")).succeeded().hasStdout("hello from the container");
    }

    @Test
    @Order(2)
    void bothAreChangedByATest(@Host("vm") Machine vm, @Host("box") Machine box) {
        vm.runOk("echo changed > /root/marker");
        box.runOk("echo changed > /root/marker");
        bothChanged = true;
    }

    @Test
    @Order(3)
    void theNextTestFindsBothAsProvisioned(@Host("vm") Machine vm, @Host("box") Machine box, TestNetwork lan) {
        assertThat(bothChanged)
                .as("bothAreChangedByATest ran before this test (run the whole class)")
                .isTrue();
        assertThat(vm.run("test -e /root/marker")).failedWithExitCode(1);
        assertThat(box.run("test -e /root/marker")).failedWithExitCode(1);
        assertThat(box).canReach(vm, lan);
    }
}
