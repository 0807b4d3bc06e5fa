package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.ExecResult;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Two real VMs on one leased libvirt network: reachability, data disks, snapshot and in-place revert. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtEnvironmentIT {

    static EnvironmentHandle handle;
    static Environment environment;
    static Machine web;
    static Machine db;

    @BeforeAll
    static void provision() {
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, "target/testbed-it"));
        EnvironmentSpec spec = new EnvironmentSpec(
                "pair",
                List.of(
                        new NetworkSpec("lan", NetworkMode.ISOLATED, Optional.empty(), true, 1400),
                        new NetworkSpec("wan", NetworkMode.NAT, Optional.empty(), true, 0)),
                List.of(
                        new MachineSpec(
                                "web",
                                "libvirt",
                                "",
                                1,
                                256,
                                List.of("lan", "wan"),
                                List.of(),
                                Set.of("frontend"),
                                Map.of()),
                        new MachineSpec(
                                "db",
                                "libvirt",
                                "",
                                1,
                                256,
                                List.of("lan"),
                                List.of(new DiskSpec("data", 64)),
                                Set.of("backend"),
                                Map.of())));
        Instant start = Instant.now();
        handle = Engine.create(config).provision(spec, event -> System.out.println("[testbed] " + event));
        System.out.println("[testbed] provisioned in "
                + Duration.between(start, Instant.now()).toMillis() + " ms");
        environment = handle.environment();
        web = environment.machine("web");
        db = environment.machine("db");
    }

    @AfterAll
    static void teardown() {
        if (handle != null) {
            handle.close();
            assertJournaled(JournalReader.read(environment.prefixDir().resolve("journal.jsonl")));
        }
    }

    /** The provider's steps and every command are in the typed journal, and it ends with the teardown. */
    private static void assertJournaled(JournalReader.Contents journal) {
        assertThat(journal.complete()).isTrue();
        assertThat(journal.unknownTypes()).isZero();
        assertThat(journal.of(HostEvent.TemplateResolved.class)).isNotEmpty();
        assertThat(journal.of(HostEvent.AcceleratorChosen.class))
                .singleElement()
                .satisfies(chosen -> assertThat(chosen.reason()).isNotBlank());
        assertThat(journal.of(ResourceEvent.ProviderStep.class))
                .extracting(ResourceEvent.ProviderStep::step)
                .contains("disk.overlay", "disk.seed", "domain.define");
        assertThat(journal.of(ResourceEvent.MachineReady.class))
                .extracting(ResourceEvent.MachineReady::machine)
                .containsExactlyInAnyOrder("web", "db");
        assertThat(journal.of(CommandEvent.CommandRun.class)).anySatisfy(run -> {
            assertThat(run.machine()).isEqualTo("web");
            assertThat(run.command()).isEqualTo("hostname");
            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout()).isEqualTo("web\n");
        });
        // 5 rounds of 2 machines, then "one" and the baseline again
        assertThat(journal.of(ResourceEvent.Reverted.class)).hasSize(14);
        assertThat(journal.of(ResourceEvent.MachinePaused.class)).hasSize(1);
        assertThat(journal.events().get(journal.events().size() - 1)).isInstanceOf(EnvironmentEvent.Closed.class);
    }

    @Test
    @Order(1)
    void machinesPingEachOtherByAddressAndName() {
        String dbAddress = db.address("lan").getHostAddress();
        assertThat(web.run("ping -c1 -W2 " + dbAddress).exitCode()).isZero();
        assertThat(db.run("ping -c1 -W2 " + web.address("lan").getHostAddress()).exitCode())
                .isZero();
        ExecResult byName = web.run("ping -c1 -W2 db");
        assertThat(byName.exitCode()).as(byName.stdout() + byName.stderr()).isZero();
        assertThat(byName.stdout()).contains(dbAddress);
        assertThat(web.run("hostname").stdout().strip()).isEqualTo("web");
    }

    @Test
    @Order(2)
    void mtuAndRoutesFollowTheNetworks() {
        String lanNic = web.run(
                        "ip -o addr show | grep ' " + web.address("lan").getHostAddress() + "/' | cut -d' ' -f2",
                        RunOptions.expectSuccess())
                .stdout()
                .strip();
        assertThat(web.run("cat /sys/class/net/" + lanNic + "/mtu").stdout().strip())
                .isEqualTo("1400");
        String wanGateway = environment.network("wan").gateway().getHostAddress();
        assertThat(web.run("ip route show default").stdout()).contains("default via " + wanGateway);
        assertThat(db.run("ip route show default").stdout())
                .as("isolated networks give no default route")
                .isBlank();
    }

    @Test
    @Order(2)
    void extraDiskIsVisibleAndWritable() {
        ExecResult write = db.run(
                "dd if=/dev/urandom of=/dev/vdb bs=1M count=4 2>/dev/null && sync "
                        + "&& dd if=/dev/vdb bs=1M count=4 2>/dev/null | md5sum",
                RunOptions.expectSuccess());
        assertThat(write.stdout()).matches("[0-9a-f]{32}\\s+-\\s*");
        assertThat(db.run("cat /sys/block/vdb/size").stdout().strip()).isEqualTo(String.valueOf(64 * 2048));
    }

    @Test
    @Order(3)
    void revertUndoesChangesWithoutRebootFiveTimesInARow() {
        for (int round = 1; round <= 5; round++) {
            String bootId = bootId(web);
            web.run("echo changed > /root/marker-" + round, RunOptions.expectSuccess());
            db.run("echo changed > /root/marker-" + round, RunOptions.expectSuccess());
            Instant start = Instant.now();
            environment.revert(Environment.BASELINE);
            long revertMs = Duration.between(start, Instant.now()).toMillis();
            assertThat(web.run("test -e /root/marker-" + round).exitCode()).isEqualTo(1);
            assertThat(db.run("test -e /root/marker-" + round).exitCode()).isEqualTo(1);
            // no reboot: the kernel's boot id (drawn once per boot by the tiny guest's rcS) is unchanged; uptime
            // is no witness, as QEMU keeps the guest clock running across loadvm
            assertThat(bootId(web)).isEqualTo(bootId);
            System.out.printf(
                    "[testbed] revert %d of 2 VMs: %d ms (guest uptime %.1f s)%n", round, revertMs, uptime(web));
        }
    }

    @Test
    @Order(4)
    void namedSnapshotsCanBeTakenRevertedAndDeleted() {
        web.run("echo one > /root/state", RunOptions.expectSuccess());
        environment.snapshot("one");
        web.run("echo two > /root/state", RunOptions.expectSuccess());
        environment.revert("one");
        assertThat(web.run("cat /root/state").stdout().strip()).isEqualTo("one");
        environment.deleteSnapshot("one");
        assertThat(web.run("test -e /root/state").exitCode()).isZero();
        environment.revert(Environment.BASELINE);
        assertThat(web.run("test -e /root/state").exitCode()).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aPausedMachineStopsAnsweringUntilResumed() {
        String dbAddress = db.address("lan").getHostAddress();
        environment.pause("db");
        assertThat(web.run("ping -c1 -W1 " + dbAddress).exitCode()).isNotZero();
        environment.resume("db");
        assertThat(web.run("ping -c1 -W2 " + dbAddress).exitCode()).isZero();
    }

    private static String bootId(Machine machine) {
        return machine.run("cat /proc/sys/kernel/random/boot_id", RunOptions.expectSuccess())
                .stdout()
                .strip();
    }

    private static double uptime(Machine machine) {
        return Double.parseDouble(machine.run("cut -d' ' -f1 /proc/uptime", RunOptions.expectSuccess())
                .stdout()
                .strip());
    }
}
