package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Failure paths against the real providers (a VM and a container on one network): a failure injected at each step
 * of provisioning ({@code -Dtestbed.it.fault}, see the engine's {@code InjectedFaults}) fails the class with the
 * step and the element named and rolls back everything; a revert that fails after a test makes the next test fail
 * instead of running on what the first one left; an exhausted lease pool reaches the user through the extension
 * with the holder named. Each case counts what is left with the {@link Census}: nothing.
 */
class FailurePathsIT {

    private static final Path ROOTS = Path.of("target/failure-paths").toAbsolutePath();
    private static final String FAULT = "testbed.it.fault";

    @Network(name = "lan")
    @VM(name = "web", memoryMb = 128, networks = "lan")
    @DockerHost(name = "box", networks = "lan")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class VmAndContainer {
        @Test
        @Order(1)
        void changesBoth(@Host("web") Machine web, @Host("box") Machine box) {
            web.runOk("echo changed > /root/marker");
            box.runOk("echo changed > /root/marker");
        }

        @Test
        @Order(2)
        void findsBothAsProvisioned(@Host("web") Machine web) {
            web.runOk("test ! -e /root/marker");
        }
    }

    @ParameterizedTest(name = "{0}:{1}")
    @CsvSource({
        "lan, network.create",
        "web, machine.create",
        "box, machine.create",
        "web, machine.start",
        "web, snapshot.create"
    })
    void aFailedProvisioningStepFailsTheClassNamingItAndRollsBackEverything(String element, String step)
            throws Exception {
        Path root = ROOTS.resolve(element + "-" + step);
        LauncherRun results = runWithFault(root, element + ":" + step);

        assertThat(results.testsStarted()).isZero();
        assertThat(classFailure(results))
                .hasMessageContaining("injected failure (" + FAULT + "): " + step + " of '" + element + "'")
                .hasMessageContaining("rolled back");
        assertNothingLeft(root);
    }

    @Test
    void aRevertThatFailsAfterATestFailsTheNextTestInsteadOfRunningItOnWhatTheFirstLeft() throws Exception {
        Path root = ROOTS.resolve("revert");
        LauncherRun results = runWithFault(root, "web:snapshot.revert");

        List<Throwable> failures = results.testFailures();
        assertThat(failures).hasSize(2);
        assertThat(failures.get(0))
                .hasStackTraceContaining("injected failure (" + FAULT + "): snapshot.revert of 'web'");
        assertThat(failures.get(1)).hasMessageContaining("is not at its baseline");
        assertNothingLeft(root);
    }

    @Test
    void anExhaustedLeasePoolReachesTheUserWithItsHolderNamed() throws Exception {
        Path root = ROOTS.resolve("exhausted");
        // a pool of one /24 that this test holds: the class finds it taken, as it would find a crowded host
        Prefix holder = Prefix.create(ROOTS.resolve("holder"), "holder");
        LeaseStore store = LeaseStore.fromConfiguration(Map.of());
        Lease held = store.acquire(
                        new Owner(
                                holder.id(),
                                holder.dir().toString(),
                                ProcessHandle.current().pid()),
                        1)
                .get(0);
        try {
            LauncherRun results = run(root, Map.of(TestbedConfig.LEASE_POOL, held.subnet()), VmAndContainer.class);

            assertThat(results.testsStarted()).isZero();
            assertThat(classFailure(results))
                    .hasStackTraceContaining("Lease pool " + held.subnet())
                    .hasStackTraceContaining("is exhausted")
                    .hasStackTraceContaining(holder.dir().toString());
        } finally {
            store.release(held);
        }
        assertNothingLeft(root);
    }

    private static LauncherRun runWithFault(Path root, String fault) {
        System.setProperty(FAULT, fault);
        try {
            return run(root, Map.of(), VmAndContainer.class);
        } finally {
            System.clearProperty(FAULT);
        }
    }

    private static LauncherRun run(Path root, Map<String, String> configuration, Class<?> fixture) {
        Map<String, String> parameters = new LinkedHashMap<>(configuration);
        parameters.put(TestbedConfig.PREFIX_ROOT, root.toString());
        parameters.put(TestbedConfig.REPORT_ENABLED, "false");
        return LauncherRun.of(fixture, parameters);
    }

    private static Throwable classFailure(LauncherRun results) {
        List<Throwable> failures = results.classFailures();
        assertThat(failures).as("class failures").hasSize(1);
        return failures.get(0);
    }

    private static void assertNothingLeft(Path root) {
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        Census census = new Census(root, config, List.of());
        assertThat(census.prefixes())
                .as("the environment's prefix, kept with its logs")
                .isNotEmpty();
        Map<String, Integer> counts = census.count(Set.of("web", "box"));
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum())
                .as("left on the host: %s", counts)
                .isZero();
        assertThat(Files.exists(root)).isTrue();
    }
}
