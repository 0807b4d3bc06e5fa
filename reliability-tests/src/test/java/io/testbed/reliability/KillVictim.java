package io.testbed.reliability;

import io.testbed.core.Machine;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Link;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real test class {@link KilledJvmIT} runs in a JVM it kills: two VMs and a container on two networks, three
 * tests with a revert after each, so that every phase (leasing, networks, boot, snapshot, test, revert, teardown)
 * happens and can be interrupted. A declared loss between the VMs puts a network-emulation table of the
 * environment on the host from the baseline on, so a kill after it leaves one for the reaper. Not an {@code *IT}:
 * Failsafe must not run it on its own.
 */
@Prefix(name = "victim")
@Network(name = "front")
@Network(name = "back")
@VM(
        name = "a",
        memoryMb = 128,
        networks = {"front", "back"})
@VM(name = "b", memoryMb = 128, networks = "back")
@DockerHost(name = "c", networks = "front")
@Link(from = "a", to = "b", network = "back", loss = "1%", symmetric = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KillVictim {

    /** The machine names, for the census of what they leave. */
    static final java.util.Set<String> MACHINES = java.util.Set.of("a", "b", "c");

    @Test
    @Order(1)
    void changesAVmForAWhile(@Host("a") Machine a) {
        a.runOk("echo changed > /root/marker; sleep 2");
    }

    @Test
    @Order(2)
    void changesTheOtherVm(@Host("b") Machine b) {
        b.runOk("echo changed > /root/marker; sleep 1");
    }

    @Test
    @Order(3)
    void changesTheContainer(@Host("c") Machine c) {
        c.runOk("echo changed > /root/marker");
    }
}
