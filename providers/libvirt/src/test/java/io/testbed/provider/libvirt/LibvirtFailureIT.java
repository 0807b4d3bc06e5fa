package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.Environment;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.ProvisioningException;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.images.TemplateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;

/**
 * Failures end in a clear error with the console tail, and nothing is left behind: no domain, network, disk
 * or lease. Also checks that on this host (KVM guests hang) the KVM probe falls back to TCG and says so.
 */
class LibvirtFailureIT {

    private Path root;
    private TestbedConfig config;

    @BeforeEach
    void prefixRoot() throws IOException {
        Files.createDirectories(Path.of("target"));
        root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "failure-it-");
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString(), TestbedConfig.BOOT_TIMEOUT, "40"));
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        Connect connect = new Connect("qemu:///system");
        try {
            List<String> names = new ArrayList<>(LibvirtProvider.domainNames(connect));
            names.addAll(LibvirtProvider.networkNames(connect));
            try (Stream<Path> prefixes = Files.list(root)) {
                for (Path prefix : prefixes.toList()) {
                    String shortId = prefix.getFileName().toString().replaceAll(".*-", "");
                    assertThat(names).as("libvirt objects of " + prefix).noneMatch(n -> n.contains(shortId));
                    assertThat(prefix.resolve("disks"))
                            .as("disks of a failed prefix")
                            .satisfiesAnyOf(
                                    p -> assertThat(p).doesNotExist(),
                                    p -> assertThat(p).isEmptyDirectory());
                    String id = Files.readString(prefix.resolve("prefix.json"));
                    assertThat(LeaseStore.fromConfiguration(config.asMap()).list())
                            .noneMatch(lease -> id.contains(lease.prefixId()));
                }
            }
        } finally {
            connect.close();
        }
    }

    private static EnvironmentSpec oneVm(String template, Map<String, String> properties) {
        return new EnvironmentSpec(
                "failing",
                List.of(NetworkSpec.leased("lan")),
                List.of(new MachineSpec(
                        "vm", "libvirt", template, 1, 128, List.of("lan"), List.of(), Set.of(), properties)));
    }

    @Test
    void missingTemplateIsRejectedBeforeAnythingIsCreated() {
        assertThatThrownBy(() ->
                        Engine.create(config).provision(oneVm("/nonexistent/centos.qcow2", Map.of()), event -> {}))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("Invalid environment: machine 'vm' template: '/nonexistent/centos.qcow2' is neither a"
                        + " built-in template (tiny) nor an existing qcow2 or raw image file");
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void brokenKernelCommandLineFailsFastWithTheConsoleTail() {
        Instant start = Instant.now();
        assertThatThrownBy(() -> Engine.create(config)
                        .provision(
                                oneVm(
                                        "tiny",
                                        Map.of(LibvirtProvider.KERNEL_ARGS, "rdinit=/nonexistent root=/dev/nowhere")),
                                event -> {}))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageStartingWith("Provisioning failed: machine 'vm' during machine.ready: machine 'vm' kernel"
                        + " panicked while booting")
                .hasMessageContaining("Console tail of machine 'vm':")
                .hasMessageContaining("Kernel panic")
                .hasMessageContaining("Everything created was rolled back; logs and journal are kept in " + root);
        assertThat(Duration.between(start, Instant.now()))
                .as("fails long before the boot timeout")
                .isLessThan(Duration.ofSeconds(40));
    }

    @Test
    void sshThatNeverComesUpTimesOutWithTheConsoleTail() {
        // init is busybox sleep (in the tiny initramfs): the guest neither panics nor ever answers SSH
        TestbedConfig quick = config.with(TestbedConfig.BOOT_TIMEOUT, "15");
        assertThatThrownBy(() -> Engine.create(quick)
                        .provision(
                                oneVm("tiny", Map.of(LibvirtProvider.KERNEL_ARGS, "rdinit=/bin/sleep 100000")),
                                event -> {}))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("machine 'vm' did not answer SSH on 198.")
                .hasMessageContaining(":22 within 15 s (testbed.boot.timeout)")
                .hasMessageContaining("Console tail of machine 'vm':");
    }

    @Test
    void anImageWithoutABootLoaderFailsAtOnceNamingTheTemplateNotAtTheBootTimeout() {
        // the tiny template's root disk as an image template: an ext4 file system, no boot loader; SeaBIOS says
        // "No bootable device" and retries forever, so without the console check this waits the whole boot timeout
        Path disk = TemplateStore.openDefault(line -> {}).resolve("tiny").disk();
        TestbedConfig patient = config.with(TestbedConfig.BOOT_TIMEOUT, "900");
        Instant start = Instant.now();
        assertThatThrownBy(() -> Engine.create(patient).provision(oneVm(disk.toString(), Map.of()), event -> {}))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageStartingWith("Provisioning failed: machine 'vm' during machine.ready: machine 'vm' did not"
                        + " boot: the firmware found no bootable disk ('No bootable device'), so its template '"
                        + disk + "' is not a bootable disk image")
                .hasMessageContaining("Console tail of machine 'vm':")
                .hasMessageContaining("Everything created was rolled back; logs and journal are kept in " + root);
        // generous: the point is that it does not wait for the 900 s boot timeout
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(450));
    }

    @Test
    void theDomainRunsOnTheAcceleratorTheKvmProbeChoseAndSaysWhy() throws IOException {
        // host-independent: where KVM works the domain is a kvm one, elsewhere (this host: KVM guests hang) TCG;
        // KvmProbeIT drives both of the probe's outcomes on any host
        List<Event> events = new ArrayList<>();
        EnvironmentSpec spec = oneVm("tiny", Map.of());
        String domainType;
        try (var handle = Engine.create(config).provision(spec, events::add)) {
            Environment environment = handle.environment();
            assertThat(environment.machine("vm").run("true").exitCode()).isZero();
            domainType = Files.readString(environment.prefixDir().resolve("logs/vm-domain.xml"));
        }
        // one reason, the probe's own verdict, not two
        HostEvent.AcceleratorChosen chosen = events.stream()
                .filter(HostEvent.AcceleratorChosen.class::isInstance)
                .map(HostEvent.AcceleratorChosen.class::cast)
                .reduce((a, b) -> {
                    throw new AssertionError("two accelerator events: " + a + ", " + b);
                })
                .orElseThrow();
        if (chosen.accelerator() == HostEvent.Accelerator.TCG) {
            assertThat(domainType).contains("<domain type=\"qemu\">");
            assertThat(chosen.reason())
                    .containsAnyOf("is missing or not read-writable", "no answer under KVM", "not usable (answer from");
        } else {
            assertThat(domainType).contains("<domain type=\"kvm\">");
        }
        try (Stream<Path> prefixes = Files.list(root)) {
            Path prefix = prefixes.findFirst().orElseThrow();
            assertThat(JournalReader.read(prefix.resolve("journal.jsonl")).of(HostEvent.AcceleratorChosen.class))
                    .hasSize(1);
        }
    }
}
