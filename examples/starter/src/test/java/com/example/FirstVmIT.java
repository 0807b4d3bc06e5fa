package com.example;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One tiny VM; the second test finds it as provisioned, whatever the first one changed. */
@Network(name = "lan")
@VM(name = "box", memoryMb = 128, networks = "lan")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstVmIT {

    @Test
    @Order(1)
    void runsCommands(Machine box) {
        box.runOk("echo hello > /root/note");
        assertThat(box.run("cat /root/note")).succeeded().hasStdout("hello");
    }

    @Test
    @Order(2)
    void startsFromTheBaselineAgain(Machine box) {
        assertThat(box.run("test -e /root/note")).failed();
    }
}
