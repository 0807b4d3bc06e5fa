package io.testbed.reliability;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import org.junit.jupiter.api.Test;

/**
 * The real test class {@link DeadDaemonsIT} runs in a JVM while it kills the host's libvirtd: a VM on a network; its
 * test runs a command, lets the IT kill libvirtd, then asks libvirt for a snapshot. Not an {@code *IT}: Failsafe must
 * not run it on its own.
 */
@Prefix(name = "libvirtd-victim")
@Network(name = "lan")
@VM(name = "vm", memoryMb = 128, networks = "lan")
class LibvirtdVictim {

    /** The machine names, for the census of what they leave. */
    static final java.util.Set<String> MACHINES = java.util.Set.of("vm");

    @Test
    void takesASnapshotAfterLibvirtdDied(@Host("vm") Machine vm, Environment environment) throws InterruptedException {
        vm.runOk("echo before > /root/marker");
        Handshake.ofThisRun().reachedThenWait(); // the IT kills libvirtd now
        environment.snapshot("after-libvirtd-died");
    }
}
