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

    /** Set by the first test: without it the second would pass vacuously when run alone. */
    static boolean noteWritten;

    @Test
    @Order(1)
    void runsCommands(Machine box) {
        box.runOk("echo hello > /root/note");
        assertThat(box.run("cat /root/note")).succeeded().hasStdout("hello");
        noteWritten = true;
    }

    @Test
    @Order(2)
    void startsFromTheBaselineAgain(Machine box) {
        assertThat(noteWritten).as("runsCommands ran before this test (run the whole class)").isTrue();
        assertThat(box.run("test -e /root/note")).failed();
    }
}
