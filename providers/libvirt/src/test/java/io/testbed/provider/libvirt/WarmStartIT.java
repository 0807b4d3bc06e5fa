package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Machines of the tiny template started from its warm image: three clones started together from one image share no
 * identity, a warm-started machine reverts, a shape the image cannot serve boots cold with the reason journaled, and a
 * corrupt or stale image is discarded and built again, and an image QEMU refuses to restore means a cold boot, the image
 * discarded and built again on its next use.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmStartIT {

    private static final int MEMORY_MB = 128;
    private static final TestbedConfig CONFIG =
            TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, "target/testbed-it"));

    static EnvironmentHandle clones;

    @BeforeAll
    static void provisionClones() {
        clones = Engine.create(CONFIG).provision(vms("clones", 3, List.of()), event -> {});
    }

    @AfterAll
    static void teardown() {
        if (clones != null) {
            clones.close();
        }
    }

    private static EnvironmentSpec vms(String name, int count, List<DiskSpec> disks) {
        List<MachineSpec> machines = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            machines.add(
                    new MachineSpec("vm" + i, "libvirt", "", 1, MEMORY_MB, List.of("lan"), disks, Set.of(), Map.of()));
        }
        return new EnvironmentSpec(name, List.of(NetworkSpec.leased("lan")), machines);
    }

    private static JournalReader.Contents journal(Environment environment) {
        return JournalReader.read(environment.prefixDir().resolve("journal.jsonl"));
    }

    private static String identity(Machine machine) {
        return machine.run(
                        "cat /proc/sys/kernel/random/boot_id /etc/machine-id /sys/class/net/eth0/address;"
                                + " hostname; ip -o -4 addr show dev eth0 | awk '{print $4}';"
                                + " dropbearkey -y -f /run/dropbear/dropbear_ed25519_host_key | grep ^ssh-;"
                                + " head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo",
                        RunOptions.expectSuccess())
                .stdout();
    }

    @Test
    @Order(1)
    void clonesStartedTogetherShareNoAddressMacHostKeyMachineIdOrRandomState() {
        Environment environment = clones.environment();
        JournalReader.Contents journal = journal(environment);
        assertThat(journal.of(ResourceEvent.StartChosen.class))
                .extracting(ResourceEvent.StartChosen::method)
                .containsExactly(
                        ResourceEvent.StartMethod.WARM, ResourceEvent.StartMethod.WARM, ResourceEvent.StartMethod.WARM);
        assertThat(journal.of(HostEvent.WarmImageResolved.class)).hasSize(1);

        Map<String, List<String>> facts = new LinkedHashMap<>();
        for (Machine machine : environment.machines()) {
            List<String> lines = identity(machine).lines().toList();
            assertThat(lines).hasSize(7);
            facts.put(machine.name(), lines);
            assertThat(lines.get(3)).isEqualTo(machine.name());
            assertThat(lines.get(4)).startsWith(machine.address("lan").getHostAddress() + "/");
            assertThat(lines.get(2))
                    .as("the MAC libvirt gave, not the warm image's")
                    .doesNotStartWith("52:54:00:fe");
        }
        String[] what = {"boot_id", "machine-id", "MAC", "hostname", "address", "host key", "/dev/urandom"};
        for (int fact = 0; fact < what.length; fact++) {
            Set<String> distinct = new HashSet<>();
            for (List<String> lines : facts.values()) {
                distinct.add(lines.get(fact));
            }
            assertThat(distinct).as(what[fact] + " of " + facts).hasSize(facts.size());
        }
        // on one network at once: every clone reaches every other by its address
        for (Machine from : environment.machines()) {
            for (Machine to : environment.machines()) {
                if (from != to) {
                    assertThat(from.run("ping -c1 -W2 " + to.address("lan").getHostAddress())
                                    .exitCode())
                            .as(from.name() + " pings " + to.name())
                            .isZero();
                }
            }
        }
    }

    @Test
    @Order(2)
    void aWarmStartedMachineRevertsToItsBaselineWithItsOwnIdentity() {
        Environment environment = clones.environment();
        Machine vm1 = environment.machine("vm1");
        List<String> before = identity(vm1).lines().toList();
        vm1.run("echo changed > /root/marker && hostname changed", RunOptions.expectSuccess());

        environment.revert(Environment.BASELINE);

        assertThat(vm1.run("test -e /root/marker").exitCode()).isEqualTo(1);
        List<String> after = identity(vm1).lines().toList();
        assertThat(after.subList(0, 6)).isEqualTo(before.subList(0, 6));
        assertThat(journal(environment).of(ResourceEvent.Reverted.class)).hasSize(3);
    }

    @Test
    @Order(3)
    void aShapeTheWarmImageCannotServeBootsColdAndSaysWhy() {
        try (EnvironmentHandle handle =
                Engine.create(CONFIG).provision(vms("cold", 1, List.of(new DiskSpec("data", 16))), event -> {})) {
            assertThat(handle.environment().machine("vm1").run("true").exitCode())
                    .isZero();
            assertThat(journal(handle.environment()).of(ResourceEvent.StartChosen.class))
                    .singleElement()
                    .satisfies(chosen -> {
                        assertThat(chosen.method()).isEqualTo(ResourceEvent.StartMethod.COLD);
                        assertThat(chosen.reason()).contains("data disks");
                    });
        }
    }

    @Test
    @Order(4)
    void aCorruptWarmImageIsDiscardedAndBuiltAgain() throws IOException {
        Path image = warmImage();
        try (RandomAccessFile overlay =
                new RandomAccessFile(image.resolve(WarmImage.OVERLAY).toFile(), "rw")) {
            overlay.seek(overlay.length() / 2);
            overlay.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        assertRebuiltAndWarm("corrupt");
    }

    @Test
    @Order(5)
    void aStaleWarmImageIsDiscardedAndBuiltAgain() throws IOException {
        Path manifest = warmImage().resolve(WarmImage.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace("\"" + WarmShape.FORMAT + "\"", "\"warm-0\""));
        assertRebuiltAndWarm("stale");
    }

    @Test
    @Order(6)
    void aWarmImageQemuRefusesToRestoreBootsColdIsDiscardedAndBuiltAgain() throws IOException {
        // An image that passes every check (manifest, size, SHA-256, qemu-img check, the snapshot) but whose saved
        // state QEMU refuses: its migration stream names another machine type, as one saved by another QEMU would.
        Path image = warmImage();
        Path overlay = image.resolve(WarmImage.OVERLAY);
        byte[] bytes = Files.readAllBytes(overlay);
        int stream = indexOf(bytes, "QEVM\0\0\0\3".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(stream).as("the saved state's stream header in " + overlay).isNotNegative();
        int machineType = indexOf(bytes, "pc-i440fx-".getBytes(StandardCharsets.ISO_8859_1), stream);
        assertThat(machineType - stream)
                .as("the machine type in the stream's header")
                .isBetween(0, 64);
        String before = WarmImages.sha256(overlay);
        try (RandomAccessFile file = new RandomAccessFile(overlay.toFile(), "rw")) {
            file.seek(machineType + "pc-i440fx-".length());
            file.write("0.0".getBytes(StandardCharsets.ISO_8859_1));
        }
        Path manifest = image.resolve(WarmImage.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace(before, WarmImages.sha256(overlay)));

        try (EnvironmentHandle handle = Engine.create(CONFIG).provision(vms("refused", 1, List.of()), event -> {})) {
            JournalReader.Contents journal = journal(handle.environment());
            assertThat(journal.of(ResourceEvent.StartChosen.class))
                    .extracting(ResourceEvent.StartChosen::method)
                    .containsExactly(ResourceEvent.StartMethod.WARM, ResourceEvent.StartMethod.COLD);
            assertThat(journal.of(ResourceEvent.StartChosen.class).get(1).reason())
                    .contains(
                            "restoring the warm image failed",
                            "QEMU could not load the warm image's snapshot",
                            "pc-i440fx-0.0");
            assertThat(journal.of(HostEvent.WarmImageDiscarded.class))
                    .singleElement()
                    .satisfies(discarded -> assertThat(discarded.reason()).contains("QEMU could not load"));
            assertThat(image).doesNotExist();
            assertThat(handle.environment().machine("vm1").run("hostname").stdout())
                    .isEqualTo("vm1\n");
        }
        try (EnvironmentHandle handle = Engine.create(CONFIG).provision(vms("rebuilt", 1, List.of()), event -> {})) {
            assertBuiltAndStartedWarm(journal(handle.environment()));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The clones' warm image directory, from their journal. */
    private static Path warmImage() {
        return Path.of(journal(clones.environment())
                .of(HostEvent.WarmImageResolved.class)
                .get(0)
                .path());
    }

    private static void assertRebuiltAndWarm(String problem) {
        try (EnvironmentHandle handle = Engine.create(CONFIG).provision(vms("rebuilt", 1, List.of()), event -> {})) {
            JournalReader.Contents journal = journal(handle.environment());
            assertThat(journal.of(HostEvent.WarmImageDiscarded.class))
                    .singleElement()
                    .satisfies(discarded -> assertThat(discarded.reason()).startsWith(problem));
            assertBuiltAndStartedWarm(journal);
            assertThat(handle.environment().machine("vm1").run("hostname").stdout())
                    .isEqualTo("vm1\n");
        }
    }

    /** The environment's machine started from a warm image this provisioning built. */
    private static void assertBuiltAndStartedWarm(JournalReader.Contents journal) {
        assertThat(journal.of(HostEvent.WarmImageResolved.class))
                .singleElement()
                .satisfies(resolved -> assertThat(resolved.built()).isTrue());
        assertThat(journal.of(ResourceEvent.StartChosen.class))
                .singleElement()
                .satisfies(chosen -> assertThat(chosen.method()).isEqualTo(ResourceEvent.StartMethod.WARM));
    }
}
