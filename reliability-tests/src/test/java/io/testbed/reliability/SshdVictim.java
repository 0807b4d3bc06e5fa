package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The test class {@link DeadDaemonsIT} runs to kill a guest's SSH server: the first test makes dropbear unable to
 * come back (the tiny template's init respawns it) and kills it, then runs another command, which must fail; the
 * revert after it returns the VM to its baseline, taken while dropbear ran, and the second test finds it answering.
 * Not an {@code *IT}: Failsafe must not run it on its own.
 */
@Prefix(name = "sshd-victim")
@Network(name = "lan")
@VM(name = "vm", memoryMb = 128, networks = "lan")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshdVictim {

    /** The machine names, for the census of what they leave. */
    static final java.util.Set<String> MACHINES = java.util.Set.of("vm");

    private static boolean sshdKilled;

    @Test
    @Order(1)
    void runsACommandAfterTheGuestsSshServerDied(@Host("vm") Machine vm) {
        sshdKilled = true;
        try {
            vm.run("mv /usr/sbin/dropbear /usr/sbin/dropbear.gone && killall -9 dropbear");
        } catch (RuntimeException sessionKilledWithIt) {
            // the session this command ran in was served by one of the killed processes
        }
        vm.runOk("true");
    }

    @Test
    @Order(2)
    void findsTheSshServerBackAfterTheRevert(@Host("vm") Machine vm) {
        assertThat(sshdKilled).as("the test that kills sshd ran first").isTrue();
        vm.runOk("test -x /usr/sbin/dropbear");
    }
}
