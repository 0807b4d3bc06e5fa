package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.DiskSpec;
import io.testbed.junit.Disk;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Input that passes every check before provisioning and can only fail part-way through it, against real libvirt:
 * a template file that is not a disk image at all but has a raw disk's size (qemu-img takes any file for raw), a
 * template that is a disk image of the wrong kind (a bare ext4
 * file system: no boot loader, so the firmware finds nothing to boot), and a data disk larger than the free space
 * of the file system that holds the prefix (qcow2 disks are sparse, so it would be created and fail only when the
 * guest writes). Each runs a real class through the Launcher after its leased network was created: the class fails
 * naming the machine and the value, no test starts, the network is destroyed again, the prefix keeps the logs and
 * the journal ends rolled back, and the {@link Census} finds nothing left.
 */
class MidProvisioningRollbackIT {

    private static final Path ROOTS = Path.of("target/mid-provisioning").toAbsolutePath();
    /** The boot timeout: a machine that cannot boot must fail on what its console says long before it. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(900);

    @Network(name = "lan")
    @VM(name = "web", memoryMb = 128, networks = "lan")
    static class OneVm {
        @Test
        void neverRuns() {}
    }

    @Network(name = "lan")
    @VM(name = "db", memoryMb = 128, networks = "lan", disks = @Disk(name = "data", sizeMb = HUGE_DISK_MB))
    static class HugeDataDisk {
        @Test
        void neverRuns() {}
    }

    /** The largest data disk a declaration may have (1 TiB), more than this host's free space. */
    static final int HUGE_DISK_MB = DiskSpec.MAX_SIZE_MB;

    @Test
    void aTemplateThatIsNotADiskImageButPassesForARawOneFailsAtOnceNamingTheMachineAndTheFileAndRollsBack()
            throws IOException {
        // text, 2 MiB: qemu-img takes any file for a raw image, and this one has a disk's size (a small file is
        // rejected before provisioning: BadInputIT); only the firmware finds out that it boots nothing
        Path root = freshRoot("not-an-image");
        Path template = writeTemplate("notes.txt", "this is text, not a disk image.\n".repeat(65536));

        LauncherRun results = runWithTemplate(root, template, OneVm.class);

        assertThat(classFailure(results))
                .hasMessageContaining("machine 'web' did not boot: the firmware found no bootable disk")
                .hasMessageContaining("its template '" + template + "' is not a bootable disk image")
                .hasMessageContaining("rolled back");
        assertRolledBackAndNothingLeft(root, "web");
    }

    @Test
    void aTemplateThatIsAFileSystemNotABootableDiskFailsAtOnceNamingTheMachineAndTheFileAndRollsBack()
            throws IOException {
        Path root = freshRoot("file-system-image");
        Path template = ROOTS.resolve("templates/ext4-file-system.img");
        Files.createDirectories(template.getParent());
        Files.deleteIfExists(template);
        LocalCommand.of(List.of("mkfs.ext4", "-q", "-F", template.toString(), "16M"))
                .timeout(Duration.ofSeconds(60))
                .check("make an ext4 file-system image");
        readableByQemu(template);

        long start = System.nanoTime();
        LauncherRun results = runWithTemplate(root, template, OneVm.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("a file-system image as template: the class failed after " + took.toMillis()
                + " ms (boot timeout " + BOOT_TIMEOUT.toSeconds() + " s)");

        assertThat(classFailure(results))
                .hasMessageContaining("machine 'web' did not boot: the firmware found no bootable disk")
                .hasMessageContaining("its template '" + template + "' is not a bootable disk image")
                .hasMessageContaining("rolled back");
        // generous: without the console check it would wait the whole boot timeout
        assertThat(took).as("time to the failure").isLessThan(BOOT_TIMEOUT.dividedBy(2));
        Prefix prefix = assertRolledBackAndNothingLeft(root, "web");
        assertThat(Files.readString(prefix.consoleLog("web"), StandardCharsets.ISO_8859_1))
                .as("the console log kept in the prefix")
                .contains("No bootable device");
    }

    @Test
    void aDataDiskLargerThanTheFreeSpaceFailsNamingTheMachineTheDiskTheSizeAndTheFreeBytesAndRollsBack()
            throws IOException {
        Path root = freshRoot("huge-disk");
        long usable = Files.getFileStore(root).getUsableSpace();
        assumeThat(usable)
                .as("the prefix's file system must have less than the 1 TiB the fixture declares free")
                .isLessThan(HUGE_DISK_MB * 1024L * 1024L);

        LauncherRun results = run(root, Map.of(TestbedConfig.BOOT_TIMEOUT, "900"), HugeDataDisk.class);

        assertThat(classFailure(results))
                .hasMessageContaining("machine 'db': its data disks (@Disk(name = \"data\") sizeMb = " + HUGE_DISK_MB)
                .hasMessageContaining("need " + HUGE_DISK_MB * 1024L * 1024L + " bytes")
                .hasMessageMatching("(?s).*has \\d+ bytes free.*")
                .hasMessageContaining("rolled back");
        Prefix prefix = assertRolledBackAndNothingLeft(root, "db");
        assertThat(prefix.disksDir().resolve("db-data.qcow2"))
                .as("the huge disk was never created")
                .doesNotExist();
    }

    /** A new, empty prefix root the QEMU user can enter (a rerun must not count the last run's prefixes). */
    private static Path freshRoot(String name) throws IOException {
        Files.createDirectories(ROOTS);
        Path root = Files.createTempDirectory(ROOTS, name + "-");
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    private static Path writeTemplate(String name, String content) throws IOException {
        Path file = ROOTS.resolve("templates").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        readableByQemu(file);
        return file;
    }

    /** QEMU runs as another user and opens the template as the overlay's backing file. */
    private static void readableByQemu(Path file) throws IOException {
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(
                file.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static LauncherRun runWithTemplate(Path root, Path template, Class<?> fixture) {
        return run(
                root,
                Map.of(
                        TestbedConfig.DEFAULT_TEMPLATE,
                        template.toString(),
                        TestbedConfig.BOOT_TIMEOUT,
                        String.valueOf(BOOT_TIMEOUT.toSeconds())),
                fixture);
    }

    private static LauncherRun run(Path root, Map<String, String> configuration, Class<?> fixture) {
        Map<String, String> parameters = new LinkedHashMap<>(configuration);
        parameters.put(TestbedConfig.PREFIX_ROOT, root.toString());
        parameters.put(TestbedConfig.REPORT_ENABLED, "false");
        LauncherRun results = LauncherRun.of(fixture, parameters);
        assertThat(results.testsStarted()).as("tests started").isZero();
        return results;
    }

    private static Throwable classFailure(LauncherRun results) {
        assertThat(results.classFailures()).as("class failures").hasSize(1);
        return results.classFailures().get(0);
    }

    /**
     * The environment got as far as creating its network (so there was something to roll back), destroyed it
     * again, and its journal ends rolled back in the kept prefix; the census finds nothing of it on the host.
     */
    private static Prefix assertRolledBackAndNothingLeft(Path root, String machine) {
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        Census census = new Census(root, config, List.of());
        List<Prefix> prefixes = census.prefixes();
        assertThat(prefixes).as("the environment's prefix, kept with its logs").hasSize(1);
        Prefix prefix = prefixes.get(0);
        JournalReader.Contents journal = JournalReader.read(prefix.journalFile());
        assertThat(journal.of(ResourceEvent.NetworkCreated.class))
                .as("networks created")
                .hasSize(1);
        assertThat(journal.of(ResourceEvent.NetworkDestroyed.class))
                .as("networks destroyed")
                .hasSize(1);
        assertThat(journal.of(EnvironmentEvent.Closed.class))
                .as("how the journal ends")
                .singleElement()
                .satisfies(closed -> assertThat(closed.outcome()).isEqualTo(EnvironmentEvent.Outcome.ROLLED_BACK));
        Map<String, Integer> counts = census.count(Set.of(machine));
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum())
                .as("left on the host: %s", counts)
                .isZero();
        return prefix;
    }
}
