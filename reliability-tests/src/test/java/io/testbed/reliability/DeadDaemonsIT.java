package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.cli.TestbedCli;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.prefix.Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Daemons that die in the middle of a test: the test fails with an error that names what died, teardown does what it
 * can and reports what it could not, and {@code testbed janitor} finishes the job once the daemon is back — refusing,
 * with the daemon named and the environment still registered, while it is not.
 *
 * <ul>
 *   <li>dockerd: a private daemon ({@link PrivateDockerd}), never the host's, is SIGKILLed while the forked test
 *       class {@link DockerdVictim} waits at a hand-shake between two commands; the janitor runs against it down,
 *       then, once it was started again on the same data root, against the host's dockerd (which must keep the
 *       environment registered: its objects are recorded at the private daemon), then against it.
 *   <li>libvirtd: the host's daemon is SIGKILLed ({@link HostLibvirtd}) while {@link LibvirtdVictim} waits at the
 *       hand-shake, then asks for a snapshot; QEMU lives on; the janitor runs while libvirtd is down, then after the
 *       set-up script started it again. Every other user of the host's libvirtd loses it for those seconds: the
 *       normal build runs ITs one at a time; by hand, take the host exclusively first.
 *   <li>the guest's sshd: {@link SshdVictim} (in this JVM) kills dropbear for good; the next command fails naming the
 *       machine and its SSH server, and the revert to the baseline (taken while dropbear ran) brings it back.
 * </ul>
 *
 * <p>Each victim waits for the IT at a {@link Handshake}, so the daemon dies at a known step, not after a guess.
 */
class DeadDaemonsIT {

    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    /** This build's runs, apart from earlier builds'. */
    private static final Path RUNS =
            Path.of("target/chaos/daemons-" + ProcessHandle.current().pid()).toAbsolutePath();

    @org.junit.jupiter.api.Test
    void aDockerDaemonKilledMidTestIsNamedAndTheJanitorFinishesTeardownOnceItIsBack() throws Exception {
        Path run = Files.createDirectories(RUNS.resolve("dockerd"));
        Path root = ForkedTestClass.root(run);
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        // a private dockerd must leave the host daemon's bridge alone (dockerd deletes 'docker0' by name in some modes)
        Path hostBridge = Path.of("/sys/class/net/docker0");
        boolean hostBridgeBefore = Files.exists(hostBridge);
        try (PrivateDockerd dockerd = PrivateDockerd.start(run, config)) {
            Census census = new Census(root, config, List.of(ForkedTestClass.tmp(run))).onDocker(dockerd.host());
            ForkedTestClass victim = ForkedTestClass.start(run, DockerdVictim.class, dockerd.environment());
            String output = killMidTest(
                    run,
                    victim,
                    () -> census.count(DockerdVictim.MACHINES),
                    Map.of("containers", 1, "docker networks", 1),
                    dockerd::kill);
            // the test's failure names the machine, the command and the daemon that stopped answering
            assertThat(output)
                    .contains("Cannot run 'cat /root/marker' on machine 'box'")
                    .contains("the Docker daemon at " + dockerd.host() + " stopped answering");
            // teardown tried everything, and says what it could not remove
            assertThat(output)
                    .contains("Teardown of environment 'dockerd-victim' could not do everything")
                    .contains("machine 'box' was not removed (machine.destroy)")
                    .contains("network 'lan' was not removed (network.destroy)")
                    .contains("testbed janitor removes it");
            Prefix prefix = onlyPrefix(census);
            var journal = JournalReader.read(prefix.journalFile());
            assertThat(journal.of(EnvironmentEvent.StepFailed.class))
                    .extracting(EnvironmentEvent.StepFailed::action)
                    .contains("machine.destroy", "network.destroy");
            assertThat(journal.of(EnvironmentEvent.LeaseKept.class)).hasSize(1);
            assertThat(journal.of(EnvironmentEvent.Closed.class))
                    .singleElement()
                    .satisfies(closed -> assertThat(closed.problems()).isPositive());

            // the janitor while the daemon is still down: it names it, fails, and keeps the owner entry
            Janitored down = janitor(run, root, dockerd.environment());
            assertThat(down.exit()).as(down.output()).isNotZero();
            assertThat(down.output())
                    .contains("provider docker: reaping failed")
                    .contains(dockerd.host())
                    .contains("still in the owner registry");
            assertThat(Owners.besideLeases(config.leaseDir()).lookup(prefix.shortId()))
                    .as("the environment's owner entry while its objects cannot be reaped")
                    .isPresent();

            // its objects were recorded with the daemon they are in
            assertThat(prefix.resources())
                    .isNotEmpty()
                    .allSatisfy(resource -> assertThat(resource.endpoint()).isEqualTo(dockerd.host()));

            dockerd.start(); // same data root: the container and network are there again
            // another JVM's reaper talks to the host's dockerd and finds none of them there: the entry stays, and
            // the janitor says which daemon it waits for
            Janitored hostDaemon = janitor(run, root, Map.of());
            assertThat(hostDaemon.exit()).as(hostDaemon.output()).isNotZero();
            assertThat(hostDaemon.output())
                    .contains("kept: docker at " + dockerd.host() + ": not this reaper's daemon (")
                    .contains("still in the owner registry");
            assertThat(Owners.besideLeases(config.leaseDir()).lookup(prefix.shortId()))
                    .as("the environment's owner entry after a reaper at another Docker daemon")
                    .isPresent();

            Map<String, Integer> before = janitorLeavesNothing(
                    "dockerd", run, root, dockerd.environment(), () -> census.count(DockerdVictim.MACHINES));
            assertThat(before).containsEntry("containers", 1).containsEntry("docker networks", 1);
        }
        if (hostBridgeBefore) {
            assertThat(hostBridge)
                    .as("the host daemon's bridge docker0 after the private dockerd's start, kill, restart and stop")
                    .exists();
        }
    }

    @org.junit.jupiter.api.Test
    void aLibvirtdKilledMidTestIsNamedAndTheJanitorFinishesTeardownOnceItIsBack() throws Exception {
        Path run = Files.createDirectories(RUNS.resolve("libvirtd"));
        Path root = ForkedTestClass.root(run);
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        Census census = new Census(root, config, List.of(ForkedTestClass.tmp(run)));
        ForkedTestClass victim = ForkedTestClass.start(run, LibvirtdVictim.class);
        String output;
        Janitored down;
        try {
            output = killMidTest(
                    run,
                    victim,
                    () -> census.count(LibvirtdVictim.MACHINES),
                    Map.of("domains", 1, "libvirt networks", 1, "qemu processes", 1),
                    HostLibvirtd::kill);
            down = janitor(run, root, Map.of()); // while libvirtd is still down
        } finally {
            HostLibvirtd.startIfDown();
        }
        String uri = config.libvirtUri();
        assertThat(output)
                .contains("libvirtd at " + uri + " stopped answering while trying to take snapshot")
                .contains("Teardown of environment 'libvirtd-victim' could not do everything")
                .contains("machine 'vm' was not removed (machine.destroy): libvirtd at " + uri + " stopped answering")
                .contains("network 'lan' was not removed (network.destroy)");
        assertThat(down.exit()).as(down.output()).isNotZero();
        assertThat(down.output())
                .contains("provider libvirt: reaping failed: Cannot connect to libvirt at " + uri)
                .contains("still in the owner registry");

        Map<String, Integer> before =
                janitorLeavesNothing("libvirtd", run, root, Map.of(), () -> census.count(LibvirtdVictim.MACHINES));
        assertThat(before)
                .as("QEMU outlived libvirtd, which found its domain again")
                .containsEntry("domains", 1)
                .containsEntry("qemu processes", 1);
    }

    @org.junit.jupiter.api.Test
    void aGuestSshServerKilledMidTestIsNamedAndTheRevertBringsItBack() throws Exception {
        Path root = Files.createDirectories(RUNS.resolve("sshd")).resolve("prefixes");
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        LauncherRun run = LauncherRun.of(SshdVictim.class, Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));

        assertThat(run.classFailures())
                .as("class-level failures (provisioning, teardown)")
                .isEmpty();
        assertThat(run.testsStarted()).isEqualTo(2);
        assertThat(run.testFailures())
                .as("only the test that killed sshd fails")
                .singleElement()
                .satisfies(failure -> assertThat(failure.getMessage())
                        .contains("Cannot run 'true' on machine 'vm'")
                        .contains("stopped answering")
                        .contains("Check that sshd still runs on the machine"));
        Map<String, Integer> after = new Census(root, config, List.of()).count(SshdVictim.MACHINES);
        assertThat(after.values().stream().mapToInt(Integer::intValue).sum())
                .as("leftovers after the class: %s", after)
                .isZero();
    }

    /** Kills a daemon. */
    private interface Kill {
        void run() throws Exception;
    }

    /**
     * Waits until the victim reached its hand-shake, checks that the host holds what it provisioned, kills the
     * daemon, lets the victim go on and returns its output once it ended, failed (exit 1).
     */
    private static String killMidTest(
            Path run,
            ForkedTestClass victim,
            Supplier<Map<String, Integer>> census,
            Map<String, Integer> held,
            Kill kill)
            throws Exception {
        Handshake handshake = new Handshake(run);
        try {
            assertThat(handshake.awaitReached(victim.process(), STEP_TIMEOUT))
                    .as("the victim reached its hand-shake (exit %s); its output:%n%s", victim.exit(), victim.logTail())
                    .isTrue();
            assertThat(census.get()).containsAllEntriesOf(held);
            kill.run();
            handshake.go();
            assertThat(victim.process().waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .isTrue();
        } finally {
            victim.process().destroyForcibly();
        }
        String output = Files.readString(run.resolve("victim.log"));
        assertThat(victim.process().exitValue()).as(output).isEqualTo(1);
        return output;
    }

    /**
     * Runs the janitor once the daemon is back: it must succeed and leave 0 of every kind.
     *
     * @return the counts before it ran
     */
    private static Map<String, Integer> janitorLeavesNothing(
            String daemon, Path run, Path root, Map<String, String> environment, Supplier<Map<String, Integer>> census)
            throws IOException, InterruptedException {
        Map<String, Integer> before = census.get();
        Janitored back = janitor(run, root, environment);
        Map<String, Integer> after = census.get();
        System.out.printf(
                "%s killed mid-test: before the janitor %s%n  after: %s%n  janitor said:%n%s%n",
                daemon, Census.describe(before), Census.describe(after), back.output());
        assertThat(back.exit()).as(back.output()).isZero();
        assertThat(after.values().stream().mapToInt(Integer::intValue).sum())
                .as("leftovers after the janitor: %s", after)
                .isZero();
        return before;
    }

    /** What {@code testbed janitor} said and its exit status. */
    private record Janitored(int exit, String output) {}

    /** Runs {@code testbed janitor --under root} as a process with {@code environment} added, as a user would. */
    private static Janitored janitor(Path run, Path root, Map<String, String> environment)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TestbedCli.class.getName(),
                "janitor",
                "--under",
                root.toString()));
        Path log = Files.createTempFile(run, "janitor-", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process janitor = builder.start();
        if (!janitor.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            janitor.destroyForcibly();
            throw new IllegalStateException("testbed janitor did not end within " + STEP_TIMEOUT);
        }
        return new Janitored(janitor.exitValue(), Files.readString(log));
    }

    private static Prefix onlyPrefix(Census census) {
        List<Prefix> prefixes = census.prefixes();
        assertThat(prefixes).hasSize(1);
        return prefixes.get(0);
    }
}
