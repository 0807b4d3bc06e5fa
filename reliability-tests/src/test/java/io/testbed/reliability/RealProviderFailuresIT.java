package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.config.TestbedConfig;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Failure paths of real machines that need more than an injected fault: the 2nd of 3 VMs failing to boot (its
 * kernel panics) while its siblings would never answer (their init sleeps), so only the engine's fail-fast keeps
 * the class from waiting for their boot timeouts; reverting a VM the test left paused; a {@link Job} started before
 * a revert and used after it, on a VM (loadvm) and a container (recreated): its {@code waitFor} fails at once
 * naming the job, the machine and the broken connection, the behaviour {@link Job} documents. Each case counts
 * what is left with the {@link Census}: nothing. The siblings' init is busybox {@code sleep} (in the tiny
 * template's initramfs), so they would neither panic nor answer SSH before the boot timeout.
 */
class RealProviderFailuresIT {

    private static final Path ROOTS = Path.of("target/real-provider-failures").toAbsolutePath();
    /** The boot timeout of the fail-fast case: the siblings would hold the rollback this long without it. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(900);

    @Network(name = "lan")
    @VM(name = "first", memoryMb = 128, networks = "lan", properties = "libvirt.kernelArgs=rdinit=/bin/sleep 100000")
    @VM(
            name = "second",
            memoryMb = 128,
            networks = "lan",
            properties = "libvirt.kernelArgs=rdinit=/nonexistent root=/dev/nowhere")
    @VM(name = "third", memoryMb = 128, networks = "lan", properties = "libvirt.kernelArgs=rdinit=/bin/sleep 100000")
    static class SecondOfThreeDoesNotBoot {
        @Test
        void neverRuns() {}
    }

    @Network(name = "lan")
    @VM(name = "web", memoryMb = 128, networks = "lan")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PausedAndJobs {
        static final AtomicReference<String> JOB_AFTER_REVERT = new AtomicReference<>();
        static volatile boolean pausedTestRan;

        @Test
        @Order(1)
        void leavesTheVmPausedWithAChange(@Host("web") Machine web, Environment environment) {
            web.runOk("echo changed > /root/marker");
            environment.pause("web");
            pausedTestRan = true;
        }

        @Test
        @Order(2)
        void findsTheVmRunningAtItsBaseline(@Host("web") Machine web) {
            assertThat(pausedTestRan)
                    .as("the test that paused the VM ran first")
                    .isTrue();
            web.runOk("test ! -e /root/marker");
        }

        @Test
        @Order(3)
        void usesAJobStartedBeforeARevertAfterIt(@Host("web") Machine web, Environment environment) {
            JOB_AFTER_REVERT.set(useAJobAcrossARevert(web, environment));
        }
    }

    @Network(name = "lan")
    @DockerHost(name = "box", networks = "lan")
    static class ContainerJob {
        static final AtomicReference<String> JOB_AFTER_REVERT = new AtomicReference<>();

        @Test
        void usesAJobStartedBeforeARevertAfterIt(@Host("box") Machine box, Environment environment) {
            JOB_AFTER_REVERT.set(useAJobAcrossARevert(box, environment));
        }
    }

    /**
     * Starts a long job, reverts {@code machine} to a snapshot taken just before, then waits for the job: what that
     * wait said. The job must count as finished and not passed either way.
     */
    private static String useAJobAcrossARevert(Machine machine, Environment environment) {
        environment.snapshot("before-job");
        Job job = machine.start("sleep 300");
        environment.revert("before-job");
        String outcome;
        try {
            ExecResult result = job.waitFor(Duration.ofSeconds(60));
            outcome = "result: exit " + result.exitCode();
        } catch (RuntimeException e) {
            outcome = "error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        assertThat(job.finished())
                .as("the job counts as finished after the revert")
                .isTrue();
        assertThat(job.passed()).as("the job does not count as passed").isFalse();
        machine.runOk("true");
        return outcome;
    }

    @Test
    void theSecondOfThreeVmsFailingToBootFailsTheClassLongBeforeItsSiblingsBootTimeoutAndLeavesNothing() {
        Path root = ROOTS.resolve("second-of-three");
        Instant start = Instant.now();
        LauncherRun results = run(
                root,
                Map.of(TestbedConfig.BOOT_TIMEOUT, String.valueOf(BOOT_TIMEOUT.toSeconds())),
                SecondOfThreeDoesNotBoot.class);
        Duration took = Duration.between(start, Instant.now());
        System.out.println("2nd of 3 VMs failing to boot: the class failed after " + took.toMillis()
                + " ms (boot timeout " + BOOT_TIMEOUT.toSeconds() + " s)");

        assertThat(results.testsStarted()).isZero();
        assertThat(results.classFailures()).hasSize(1);
        assertThat(results.classFailures().get(0))
                .hasMessageContaining("machine 'second' during machine.ready")
                .hasMessageContaining("kernel panicked")
                .hasMessageContaining("rolled back");
        // generous: the siblings alone would hold the class for the whole boot timeout
        assertThat(took).as("time to the failure").isLessThan(BOOT_TIMEOUT.dividedBy(2));
        assertNothingLeft(root, Set.of("first", "second", "third"));
    }

    @Test
    void aPausedVmIsRevertedAndAJobUsedAfterARevertFailsNamingTheJobAndTheBrokenConnection() {
        // the revert (loadvm) dropped the SSH connection the job ran on
        assertAllPassedAndTheJobFailedAfterTheRevert(
                "paused-and-jobs", PausedAndJobs.class, 3, "web", () -> PausedAndJobs.JOB_AFTER_REVERT.get());
    }

    @Test
    void aJobUsedAfterAContainerRevertFailsNamingTheJobAndTheDroppedConnection() {
        // the revert recreated the container the job's exec ran in
        assertAllPassedAndTheJobFailedAfterTheRevert(
                "container-job", ContainerJob.class, 1, "box", () -> ContainerJob.JOB_AFTER_REVERT.get());
    }

    /** Runs {@code fixture}: all its tests pass, its job's wait after the revert failed saying so, nothing left. */
    private static void assertAllPassedAndTheJobFailedAfterTheRevert(
            String name, Class<?> fixture, int tests, String machine, Supplier<String> jobOutcome) {
        Path root = ROOTS.resolve(name);
        LauncherRun results = run(root, Map.of(), fixture);

        assertThat(results.classFailures()).isEmpty();
        assertThat(results.testFailures()).isEmpty();
        assertThat(results.testsStarted()).isEqualTo(tests);
        // waitFor says what happened instead of hanging or passing
        assertThat(jobOutcome.get())
                .startsWith("error: TestbedException: Job 1 'sleep 300' on machine '" + machine + "' did not complete:")
                .contains("its outcome is unknown")
                .contains("reverted");
        assertNothingLeft(root, Set.of(machine));
    }

    private static LauncherRun run(Path root, Map<String, String> configuration, Class<?> fixture) {
        Map<String, String> parameters = new LinkedHashMap<>(configuration);
        parameters.put(TestbedConfig.PREFIX_ROOT, root.toString());
        parameters.put(TestbedConfig.REPORT_ENABLED, "false");
        return LauncherRun.of(fixture, parameters);
    }

    private static void assertNothingLeft(Path root, Set<String> machines) {
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        Census census = new Census(root, config, List.of());
        assertThat(census.prefixes())
                .as("the environment's prefix, kept with its logs")
                .isNotEmpty();
        Map<String, Integer> counts = census.count(machines);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum())
                .as("left on the host: %s", counts)
                .isZero();
    }
}
