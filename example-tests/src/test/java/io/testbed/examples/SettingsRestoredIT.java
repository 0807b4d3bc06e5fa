package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

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
 * Kernel settings changed in a test and restored after it, without any snapshot revert.
 *
 * <p>Shows:
 * <ul>
 *   <li>{@link Machine#setSysctl} and {@link Machine#writeSysfs} (any file under {@code /proc/sys} or
 *       {@code /sys}): the harness remembers each old value and writes it back after the test, newest first;</li>
 *   <li>{@link Revert#NEVER}: the environment is never reverted, the fastest policy for tests that change only
 *       what the harness restores — so the next test's old values are the restore's doing, not a revert's;</li>
 *   <li>a {@link BeforeAll @BeforeAll} method with an injected machine, reading the values as provisioned.</li>
 * </ul>
 */
@Prefix(revert = Revert.NEVER)
@Network(name = "lan")
@VM(name = "router", memoryMb = 128, networks = "lan")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SettingsRestoredIT {

    private static final String FORWARDING = "net.ipv4.ip_forward";
    private static final String DEFAULT_TTL = "/proc/sys/net/ipv4/ip_default_ttl";

    static String forwardingAsProvisioned;
    static String ttlAsProvisioned;

    /** Set by {@code aTestTurnsForwardingOnAndLowersTheTtl}: the next test would pass vacuously without it (when run alone). */
    static boolean settingsChanged;

    @BeforeAll
    static void readTheProvisionedValues(@Host("router") Machine router) {
        forwardingAsProvisioned = read(router, "sysctl -n " + FORWARDING);
        ttlAsProvisioned = read(router, "cat " + DEFAULT_TTL);
    }

    @Test
    @Order(1)
    void aTestTurnsForwardingOnAndLowersTheTtl(@Host("router") Machine router) {
        assertThat(forwardingAsProvisioned).isEqualTo("0"); // Linux's defaults, which this test changes
        assertThat(ttlAsProvisioned).isEqualTo("64");

        router.setSysctl(FORWARDING, "1");
        router.writeSysfs(DEFAULT_TTL, "5");

        assertThat(router.run("sysctl -n " + FORWARDING)).hasStdout("1");
        assertThat(router.run("cat " + DEFAULT_TTL)).hasStdout("5");
        settingsChanged = true;
    }

    @Test
    @Order(2)
    void theNextTestSeesTheValuesAsProvisioned(@Host("router") Machine router) {
        assertThat(settingsChanged)
                .as("aTestTurnsForwardingOnAndLowersTheTtl ran before this test (run the whole class)")
                .isTrue();
        assertThat(router.run("sysctl -n " + FORWARDING)).hasStdout(forwardingAsProvisioned);
        assertThat(router.run("cat " + DEFAULT_TTL)).hasStdout(ttlAsProvisioned);
    }

    private static String read(Machine machine, String command) {
        return machine.runOk(command).stdout().strip();
    }
}
