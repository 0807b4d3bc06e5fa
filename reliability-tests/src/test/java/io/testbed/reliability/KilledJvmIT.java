package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.Reaper;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.prefix.Prefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real test class ({@link KillVictim}: two VMs and a container on two networks) runs in a forked JVM that is
 * killed with SIGKILL at a chosen point of its life — leasing, network creation, boot, snapshot, a test, a revert,
 * teardown — recognised by the event that marks the phase in the environment's typed journal. Then the reaper runs
 * as the next provisioning (or the CLI's {@code janitor}) runs it, and the host must hold nothing of the killed
 * environment: every kind in {@link Census#KINDS} counts 0. Counts before and after the reaper are printed as a
 * table, one row per kill point.
 *
 * <p>The normal build runs one point per phase ({@link KillPoint#shortList()}); {@code -Pchaos-long} runs 50
 * ({@link KillPoint#longList()}, random points from a fixed seed).
 */
class KilledJvmIT {

    private static final Duration MARKER_TIMEOUT = Duration.ofMinutes(8);
    /** This build's runs, apart from earlier builds' (whose prefixes would count too). */
    private static final Path RUNS =
            Path.of("target/chaos/killed-" + ProcessHandle.current().pid()).toAbsolutePath();

    private static final List<String> TABLE = new ArrayList<>();

    /** Kill points after which the environment's network-emulation table was on the host, before the reaper. */
    private static int killedWithHostTable;

    static List<KillPoint> points() {
        return KillPoint.configured();
    }

    @ParameterizedTest(name = "[{index}] killed during {0}")
    @MethodSource("points")
    void aJvmKilledAtThisPointLeavesNothingOnceTheReaperHasRun(KillPoint point) throws Exception {
        Path run = Files.createDirectories(RUNS.resolve(String.format("%02d", TABLE.size() + 1)));
        TestbedConfig config = TestbedConfig.of(
                Map.of(TestbedConfig.PREFIX_ROOT, ForkedTestClass.root(run).toString()));
        Census census = new Census(ForkedTestClass.root(run), config, List.of(ForkedTestClass.tmp(run)));

        ForkedTestClass victim = ForkedTestClass.start(run, KillVictim.class);
        long started = System.nanoTime();
        boolean reached;
        try {
            reached = awaitMarker(victim.process(), census, point);
            if (reached) {
                Thread.sleep(point.delay().toMillis());
            }
        } finally {
            victim.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook or finally block runs in it
            assertThat(victim.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        double killedAfter = (System.nanoTime() - started) / 1e9;

        Map<String, Integer> before = census.count(KillVictim.MACHINES);
        if (before.getOrDefault("nft tables", 0) > 0) {
            killedWithHostTable++;
        }
        List<String> reaped =
                Reaper.reap(config, Engine.create(config).providers().values());
        Map<String, Integer> after = census.count(KillVictim.MACHINES);
        // the kernel frees a removed container's network namespace, and its veth pair, asynchronously: a veth may
        // outlive the container for a moment; anything still there after a few seconds is a leak
        for (int settle = 0; settle < 10 && total(after) > 0; settle++) {
            Thread.sleep(1000);
            after = census.count(KillVictim.MACHINES);
        }

        TABLE.add(String.format(
                "%-58s %6.1f s  %-9s before: %s%n%-77s after:  %s   (reaper: %d lines)",
                point,
                killedAfter,
                reached ? "killed" : "MISSED",
                Census.describe(before),
                "",
                Census.describe(after),
                reaped.size()));
        assertThat(reached)
                .as(
                        "the victim reached %s before it ended (exit %s); its output:%n%s",
                        point, victim.exit(), victim.logTail())
                .isTrue();
        assertThat(total(after))
                .as("leftovers after the reaper, killed during %s: %s; reaper said %s", point, after, reaped)
                .isZero();
        assertThat(reaped).as("the reaper reports no failure").noneMatch(line -> line.contains("reaping failed"));
    }

    @AfterAll
    static void printTable() throws IOException {
        String table = "Kill points and leftovers per kind (before and after the reaper):"
                + System.lineSeparator()
                + String.join(System.lineSeparator(), TABLE);
        System.out.println(table);
        Files.createDirectories(RUNS);
        Files.writeString(RUNS.resolve("table.txt"), table + System.lineSeparator(), StandardCharsets.UTF_8);
        assertThat(killedWithHostTable)
                .as("kill points whose victim had its declared link's nftables table on the host (the reaper's to"
                        + " remove)")
                .isPositive();
    }

    /** Polls the victim's journal until the marker's occurrence is there; false when the victim ended first. */
    private static boolean awaitMarker(Process victim, Census census, KillPoint point) throws InterruptedException {
        long deadline = System.nanoTime() + MARKER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Prefix prefix : census.prefixes()) {
                if (Files.isRegularFile(prefix.journalFile())
                        && JournalReader.read(prefix.journalFile())
                                        .of(point.marker())
                                        .size()
                                >= point.occurrence()) {
                    return true;
                }
            }
            if (!victim.isAlive()) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }
}
