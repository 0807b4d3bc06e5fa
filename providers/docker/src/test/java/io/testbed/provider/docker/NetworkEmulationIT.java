package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.testbed.core.Environment;
import io.testbed.core.Job;
import io.testbed.core.LinkConstraint;
import io.testbed.core.LinkValidation;
import io.testbed.core.Links;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.engine.Reaper;
import io.testbed.core.internal.netem.HostKernel;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spi.Provider;
import io.testbed.provider.libvirt.LibvirtProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network emulation on real machines: three tiny VMs in two sites (paris: p1, p2; berlin: b1) and two containers
 * (c1, c2) on one leased network, with a declared 50 ms symmetric delay between the sites except the pair p2–b1.
 * One environment serves every test (provisioning under TCG is the expensive part); after each test the harness's
 * own reset and revert run, as the JUnit extension runs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkEmulationIT {

    private static final Pattern REPLY = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received");

    @TempDir
    static Path temp;

    private Engine engine;
    private EnvironmentHandle handle;
    private Environment env;
    private String table;

    @BeforeAll
    void provision() throws Exception {
        // QEMU runs as libvirt-qemu and must reach the VMs' disks in the prefix
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        engine = Engine.withProviders(config(), List.<Provider>of(new LibvirtProvider(), new DockerProvider()));
        handle = engine.provision(spec(List.of(baselineDelay())), event -> {});
        env = handle.environment();
        table = "testbed_" + Prefix.open(env.prefixDir()).id().substring(0, 8);
    }

    @AfterEach
    void resetLikeTheExtension() {
        if (handle == null) {
            return; // torn down by the test
        }
        handle.resetMachines();
        env.revert(Environment.BASELINE);
    }

    @AfterAll
    void tearDown() {
        if (handle != null) {
            handle.close();
        }
    }

    @Test
    @Order(1)
    void aSymmetricDelayBetweenSitesDoublesInTheRoundTripButNotInsideASiteOrOnTheExceptedPair() {
        double raw = medianRtt("p1", "p2", 30);
        // [100, 112] ms on a quiet host, whose raw round trip is at most 4.5 ms; what a busy 2-core TCG host adds to
        // the raw round trip right now it adds to the delayed one too
        double upper = 112.0 + Math.max(0, raw - 4.5);
        assertThat(medianRtt("p1", "b1", 30)).as("raw round trip %.1f ms", raw).isBetween(100.0, upper);
        assertThat(medianRtt("b1", "p1", 30)).as("raw round trip %.1f ms", raw).isBetween(100.0, upper);
        assertThat(raw).as("inside a site").isLessThan(20.0);
        assertThat(medianRtt("p2", "b1", 20)).as("the excepted pair").isLessThan(20.0);
        assertThat(medianRtt("c1", "c2", 20))
                .as("containers without constraints")
                .isLessThan(20.0);
    }

    @Test
    @Order(2)
    void tenPercentOneWayLossMeasuresBetweenSevenAndThirteenPercentOverAThousandProbes() {
        env.links().constrain(LinkConstraint.between("p1", "p2").loss("10%").build());

        double loss = loss("p1", "p2", 1000);

        assertThat(loss).isBetween(7.0, 13.0);
    }

    @Test
    @Order(3)
    void aOneMegabitRateMeasuresWithinFifteenPercentAndValidateReportsIt() {
        env.links().constrain(LinkConstraint.between("p2", "b1").rate("1mbit").build());

        LinkValidation validation = env.links().validate(20);

        LinkValidation.Row rate = validation.rows().stream()
                .filter(r -> r.from().equals("p2") && r.to().equals("b1"))
                .findFirst()
                .orElseThrow();
        assertThat(rate.measuredRateBits()).isPresent();
        assertThat(rate.measuredRateBits().getAsDouble()).isBetween(850_000.0, 1_150_000.0);
        LinkValidation.Row delayed = validation.rows().stream()
                .filter(r -> r.from().equals("p1") && r.to().equals("b1"))
                .findFirst()
                .orElseThrow();
        assertThat(delayed.declaredRtt()).isEqualTo(Duration.ofMillis(100));
        assertThat(delayed.measuredRttMs()).as(validation.render()).isGreaterThanOrEqualTo(100.0);
        assertThat(env.prefixDir().resolve("logs/links-validation.txt"))
                .content()
                .contains("p2", "1mbit");
    }

    @Test
    @Order(4)
    void partitionsCutVmsAndContainersInBothDirectionsAndHeal() {
        for (List<String> pair : List.of(List.of("p1", "b1"), List.of("p1", "c1"), List.of("c1", "c2"))) {
            String a = pair.get(0);
            String b = pair.get(1);
            assertThat(reaches(a, b)).as(a + " -> " + b + " before").isTrue();
            Links.Cut cut = env.links().partition(a, b);
            assertThat(reaches(a, b)).as(a + " -> " + b + " cut").isFalse();
            assertThat(reaches(b, a)).as(b + " -> " + a + " cut").isFalse();
            assertThat(reaches(a, "p2")).as(a + " still reaches p2").isTrue();
            env.links().heal(cut);
            assertThat(reaches(a, b)).as(a + " -> " + b + " healed").isTrue();
            assertThat(reaches(b, a)).as(b + " -> " + a + " healed").isTrue();
        }
    }

    @Test
    @Order(5)
    void anEstablishedTcpConnectionStallsWhileCutAndResumesWhenHealed() throws Exception {
        Machine p1 = env.machine("p1");
        Machine c1 = env.machine("c1");
        Job server = c1.start("sleep 600 | nc -l -p 7000 > /tmp/stream");
        Job client = null;
        try {
            waitUntil(() -> c1.run("netstat -ltn | grep -q ':7000 '").succeeded());
            client = p1.start("i=0; while true; do echo line-$i; i=$((i+1)); sleep 0.2; done | nc "
                    + c1.address("lan").getHostAddress() + " 7000");
            waitUntil(() -> size(c1) > 0);

            Links.Cut cut = env.links().partition("p1", "c1");
            Thread.sleep(1000);
            long cutAt = size(c1);
            Thread.sleep(3000);
            assertThat(size(c1)).as("nothing arrives while cut").isEqualTo(cutAt);

            env.links().heal(cut);
            waitUntil(() -> size(c1) > cutAt);
        } finally {
            if (client != null) {
                client.kill();
            }
            server.kill();
        }
    }

    @Test
    @Order(6)
    void isolateSplitAndLinkDownCutAndHealAllHeals() {
        env.links().isolate("b1");
        assertThat(reaches("p1", "b1")).isFalse();
        assertThat(reaches("c1", "b1")).isFalse();
        assertThat(reaches("p1", "c1")).isTrue();
        env.links().healAll();
        assertThat(reaches("c1", "b1")).isTrue();

        env.links().linkDown("c2", "lan");
        assertThat(reaches("c1", "c2")).isFalse();
        env.links().linkUp("c2", "lan");
        assertThat(reaches("c1", "c2")).isTrue();

        env.links().bridge(); // p1 p2 | b1 | c1 c2 (declaration order), b1 in the middle
        assertThat(reaches("p1", "c1")).isFalse();
        assertThat(reaches("p1", "b1")).isTrue();
        assertThat(reaches("b1", "c2")).isTrue();
        assertThat(env.links().cuts()).hasSize(1);
    }

    @Test
    @Order(7)
    void aResetAndRevertBringTheBaselineBackAndDropRunTimeChanges() {
        env.links()
                .constrain(LinkConstraint.between("p1", "b1")
                        .delay("200ms")
                        .symmetric()
                        .build());
        env.links().constrain(LinkConstraint.between("c1", "c2").rate("64kbit").build());
        env.links().partition("p2", "c2");
        assertThat(medianRtt("p1", "b1", 10)).isGreaterThan(350.0);
        assertThat(hostTables()).contains(table);

        resetLikeTheExtension();

        assertThat(env.links().cuts()).isEmpty();
        assertThat(env.links().constraints()).containsExactly(baselineDelay());
        assertThat(env.machine("p1").run("tc qdisc show").stdout())
                .as("the baseline's netem leaf is back in the guest")
                .contains("delay 50ms")
                .doesNotContain("delay 200ms");
        // the round trip is the baseline's (100 ms), not the run-time 400 ms; a loaded 2-core TCG host adds to it
        assertThat(medianRtt("p1", "b1", 20)).isBetween(100.0, 200.0);
        assertThat(reaches("p2", "c2")).isTrue();
        assertThat(env.machine("c1").run("tc qdisc show dev eth0").stdout()).doesNotContain("htb");
        assertThat(hostTables()).as("no loss or cut in the baseline: no table").doesNotContain(table);
    }

    @Test
    @Order(8)
    void aDelayFromAContainerIsRejectedBeforeProvisioningWhenTheHostKernelHasNoNetem() {
        assumeThat(HostKernel.hasNetem()).as("this host's kernel has sch_netem").isFalse();
        EnvironmentSpec spec =
                spec(List.of(LinkConstraint.between("c1", "p1").delay("20ms").build()));

        assertThatThrownBy(() -> engine.validate(spec))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("Invalid environment: link 'c1 -> p1' delay: 20ms from machine 'c1' needs sch_netem in "
                        + "the kernel that carries its traffic: a container shares the host's kernel, which has no "
                        + "sch_netem; delay virtual machines instead, or run on a host whose kernel has sch_netem");
        assertThatThrownBy(() -> env.links()
                        .constrain(
                                LinkConstraint.between("c1", "p1").delay("20ms").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs sch_netem");
    }

    @Test
    @Order(9)
    void theReaperRemovesTheTableOfADeadOwnerAndNoOtherTable() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String orphan = "testbed_deadbeef";
        String unprovable = "testbed_feedface";
        String foreign = "not_testbed";
        nft("add", "table", "bridge", orphan, "{ comment \"testbed pid=" + gone.pid() + " start=0\"; }");
        nft("add", "table", "bridge", unprovable);
        nft("add", "table", "bridge", foreign);
        env.links().partition("p1", "p2"); // our live table must survive the reaper
        try {
            List<String> reaped = Reaper.reap(engine.config(), List.of());

            assertThat(reaped).anyMatch(line -> line.contains(orphan));
            assertThat(hostTables()).doesNotContain(orphan).contains(unprovable, foreign, table);
        } finally {
            nft("delete", "table", "bridge", unprovable);
            nft("delete", "table", "bridge", foreign);
        }
    }

    @Test
    @Order(10)
    void teardownLeavesNoTable() {
        env.links().partition("p1", "c2");
        assertThat(hostTables()).contains(table);

        handle.close();
        handle = null;

        assertThat(hostTables()).doesNotContain(table);
    }

    // --- helpers

    private static LinkConstraint baselineDelay() {
        return LinkConstraint.between("paris", "berlin")
                .delay("50ms")
                .symmetric()
                .except("p2:b1")
                .build();
    }

    private static TestbedConfig config() {
        // the host-wide lease store (the default), as users have it: never a hard-coded subnet
        return TestbedConfig.of(Map.of(
                TestbedConfig.PREFIX_ROOT, temp.resolve("prefixes").toString(), TestbedConfig.PROGRESS, "false"));
    }

    private static EnvironmentSpec spec(List<LinkConstraint> links) {
        return new EnvironmentSpec(
                "netem",
                List.of(NetworkSpec.leased("lan")),
                List.of(vm("p1", "paris"), vm("p2", "paris"), vm("b1", "berlin"), container("c1"), container("c2")),
                links);
    }

    private static MachineSpec vm(String name, String role) {
        return new MachineSpec(name, "libvirt", "", 1, 128, List.of("lan"), List.of(), Set.of(role), Map.of());
    }

    private static MachineSpec container(String name) {
        return new MachineSpec(
                name,
                DockerProvider.NAME,
                "",
                1,
                128,
                List.of("lan"),
                List.of(),
                Set.of("boxes"),
                Map.of(),
                ContainerOptions.defaults());
    }

    private double medianRtt(String from, String to, int count) {
        String out = ping(from, to, count, "0.2");
        Matcher m = REPLY.matcher(out);
        List<Double> rtts = new java.util.ArrayList<>();
        while (m.find()) {
            rtts.add(Double.parseDouble(m.group(1)));
        }
        assertThat(rtts).as("replies of " + from + " -> " + to).isNotEmpty();
        List<Double> sorted = rtts.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private double loss(String from, String to, int count) {
        Matcher m = SUMMARY.matcher(ping(from, to, count, "0.02"));
        assertThat(m.find()).isTrue();
        int sent = Integer.parseInt(m.group(1));
        int received = Integer.parseInt(m.group(2));
        return 100.0 * (sent - received) / sent;
    }

    private String ping(String from, String to, int count, String interval) {
        return env.machine(from)
                .run(
                        "ping -c " + count + " -i " + interval + " -W 5 "
                                + env.machine(to).address("lan").getHostAddress(),
                        RunOptions.defaults().withTimeout(Duration.ofMinutes(3)))
                .stdout();
    }

    private boolean reaches(String from, String to) {
        return env.machine(from)
                .run("ping -c 2 -i 0.2 -W 2 " + env.machine(to).address("lan").getHostAddress())
                .succeeded();
    }

    private static long size(Machine machine) {
        return Long.parseLong(machine.run("wc -c < /tmp/stream").stdout().strip());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(250);
        }
    }

    private static List<String> hostTables() {
        return LocalCommand.of("nft", "list", "tables", "bridge")
                .check("list nftables tables")
                .stdout()
                .lines()
                .map(l -> l.replace("table bridge ", "").strip())
                .toList();
    }

    private static void nft(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("nft"));
        command.addAll(List.of(arguments));
        LocalCommand.of(command).check(String.join(" ", command));
    }
}
