package io.testbed.bench;

import io.testbed.core.ExecResult;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.images.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Cold start of one tiny VM, Testbed against bare QEMU, alternating which goes first; also the whole provisioning
 * of a 1-VM environment and the VM's disk footprint.
 *
 * <ul>
 *   <li>{@code vm.cold.first_command}: Testbed from the machine's {@code start()} (journal {@code machine.start}
 *       started) to its first command answered ({@code machine.ready} ok), so the per-session template resolve and
 *       KVM probe, the overlay, seed and domain definition are not counted; bare QEMU from the process start to its
 *       first SSH command ({@link BareQemuGuest#bootTime()}).</li>
 *   <li>{@code vm.provision.one}: {@code Engine.provision} of the 1-VM environment, all of it (lease, network,
 *       template resolve, disks, boot, baseline snapshot).</li>
 *   <li>{@code vm.disk_bytes.*}: the overlay's allocated bytes right after the boot (measured in the provisioning
 *       thread as the {@code machine.ready} event is journaled, before the baseline) and after the baseline
 *       snapshot, whose difference is the snapshot's state.</li>
 * </ul>
 * Both boots are split with the guest's console: host side (until the guest kernel starts), guest (kernel to
 * dropbear listening, from the guest's uptime) and SSH (ready line seen to first command answered).
 */
final class ColdBench {

    /** The metrics, and the 1-VM provisioning times other benchmarks use as their anchor. */
    record Result(List<Metric> metrics, Samples provisionOneMs) {}

    private static final String VM = "vm1";
    private static final double MB = 1e6;

    private final Bed bed;
    private final Samples testbedMs = new Samples();
    private final Samples bareMs = new Samples();
    private final Samples provisionMs = new Samples();
    private final Samples teardownMs = new Samples();
    private final Phases testbedParts = new Phases();
    private final Phases bareParts = new Phases();
    private final Phases provisionParts = new Phases();
    private final Samples overlayAfterBootMb = new Samples();
    private final Samples overlayAfterBaselineMb = new Samples();
    private final Samples snapshotStateMb = new Samples();

    private ColdBench(Bed bed) {
        this.bed = bed;
    }

    static Result run(Bed bed) {
        return new ColdBench(bed).measure();
    }

    private Result measure() {
        Template tiny = bed.tinyTemplate();
        for (int i = 0; i <= bed.options.runs(); i++) {
            boolean warmUp = i == 0;
            // the warm-up starts with Testbed, which tells which accelerator bare QEMU must use
            if (i % 2 == 0) {
                testbed(warmUp);
                bare(tiny, warmUp);
            } else {
                bare(tiny, warmUp);
                testbed(warmUp);
            }
        }
        double guestMemoryMb = Bed.VM_MEMORY_MB * 1024.0 * 1024.0 / MB;
        Metric cold = Metric.named("vm.cold.first_command", "ms").samples(testbedMs)
                .anchor("bare qemu-system-x86_64 boot of the same template to its first SSH command", bareMs)
                .target(Target.ratioAtMost(1.2))
                .note("1 tiny VM, " + Bed.VM_MEMORY_MB + " MiB, 1 vCPU, " + bed.accelerator() + "; Testbed from the"
                        + " machine's start() (libvirt domain create) to the first command answered over SSH; bare"
                        + " QEMU from the process start to the same point")
                .parts(testbedParts, "testbed.").parts(bareParts, "bare.").build();
        Metric provision = Metric.named("vm.provision.one", "ms").samples(provisionMs)
                .note("Engine.provision of 1 tiny VM on 1 leased network, everything included (lease, network,"
                        + " template resolve, overlay, seed, domain, boot, baseline snapshot); teardown separate")
                .parts(provisionParts, "").part("teardown", teardownMs).build();
        Metric overlay = Metric.named("vm.disk_bytes.overlay_after_boot", "MB").samples(overlayAfterBootMb)
                .anchor("guest memory (" + Bed.VM_MEMORY_MB + " MiB)", Samples.of(guestMemoryMb))
                .target(Target.valueAtMost(8))
                .note("allocated bytes of the VM's qcow2 overlay (qemu-img info actual-size) once it answered its"
                        + " first command; 1 MB = 10^6 bytes")
                .build();
        Metric snapshot = Metric.named("vm.disk_bytes.snapshot_state", "MB").samples(snapshotStateMb)
                .anchor("guest memory (" + Bed.VM_MEMORY_MB + " MiB)", Samples.of(guestMemoryMb))
                .target(Target.ratioAtMost(0.5))
                .note("growth of the overlay's allocated bytes by the baseline snapshot (memory + device state);"
                        + " the overlay after it is in the breakdown")
                .part("overlay_after_baseline_MB", overlayAfterBaselineMb).build();
        return new Result(List.of(cold, provision, overlay, snapshot), provisionMs);
    }

    private void testbed(boolean warmUp) {
        bed.quiet.await();
        AtomicReference<Path> prefix = new AtomicReference<>();
        AtomicReference<ConsoleWatcher> watcher = new AtomicReference<>();
        AtomicReference<Object> afterBoot = new AtomicReference<>();
        Bed.Provisioned provisioned = bed.provision(Bed.vms("bench-cold", 1, Bed.VM_MEMORY_MB), recording ->
                recording.onEvent(event -> onEvent(event, prefix, watcher, afterBoot)));
        try {
            Recording journal = provisioned.recording();
            double startToReady = journal.spanMs("machine.start", Recording.Edge.START, "machine.ready",
                    Recording.Edge.END, VM);
            Path overlayFile = provisioned.prefixDir().resolve("disks").resolve(VM + ".qcow2");
            DiskUsage afterBaseline = DiskUsage.of(overlayFile);
            ExecResult check = provisioned.environment().machine(VM).run("true");
            if (check.exitCode() != 0) {
                throw new BenchException("The provisioned VM did not run `true`: " + check);
            }
            if (afterBoot.get() instanceof RuntimeException e) {
                throw e;
            }
            DiskUsage booted = (DiskUsage) afterBoot.get();
            bed.log("testbed 1 VM: start→first command %.0f ms, provision %.0f ms, overlay %.1f MB → %.1f MB%s",
                    startToReady, provisioned.provisionMs(), booted.actualBytes() / MB,
                    afterBaseline.actualBytes() / MB, warmUp ? " (warm-up)" : "");
            if (warmUp) {
                return;
            }
            testbedMs.add(startToReady);
            provisionMs.add(provisioned.provisionMs());
            ConsoleWatcher console = watcher.get();
            split(testbedParts, console, startToReady);
            testbedParts.add("libvirt_domain_start", journal.stepMs("machine.start", VM));
            for (String step : List.of("lease.acquire", "provider.open", "network.create", "template.resolve",
                    "machine.create", "machine.start", "machine.ready", "snapshot.create")) {
                journal.all(step).forEach(e -> provisionParts.add(step, e.ms()));
            }
            overlayAfterBootMb.add(booted.actualBytes() / MB);
            overlayAfterBaselineMb.add(afterBaseline.actualBytes() / MB);
            snapshotStateMb.add((afterBaseline.actualBytes() - booted.actualBytes()) / MB);
        } finally {
            long start = System.nanoTime();
            provisioned.close();
            if (!warmUp) {
                teardownMs.add((System.nanoTime() - start) / 1e6);
            }
            if (watcher.get() != null) {
                watcher.get().close();
            }
        }
    }

    /** Runs in the provisioning thread as each event is journaled. */
    private static void onEvent(Event event, AtomicReference<Path> prefix,
            AtomicReference<ConsoleWatcher> watcher, AtomicReference<Object> afterBoot) {
        if (event instanceof EnvironmentEvent.ProvisioningStarted started) {
            prefix.set(Path.of(started.prefix()));
        } else if (event instanceof ResourceEvent.MachineBooting) {
            watcher.set(ConsoleWatcher.start(prefix.get().resolve("logs").resolve(VM + "-console.log")));
        } else if (event instanceof ResourceEvent.MachineReady) {
            try {
                afterBoot.set(DiskUsage.of(prefix.get().resolve("disks").resolve(VM + ".qcow2")));
            } catch (RuntimeException e) {
                afterBoot.set(e); // thrown after provisioning; a failing hook must not fail the provisioning
            }
        }
    }

    private void bare(Template tiny, boolean warmUp) {
        bed.quiet.await();
        AtomicReference<ConsoleWatcher> watcher = new AtomicReference<>();
        BareQemu qemu = new BareQemu(line -> {
            if (line.startsWith("bare QEMU: booting")) {
                watcher.set(ConsoleWatcher.start(newestBareQemuDirectory().resolve("console.log")));
            }
        });
        BareQemu.Options options = BareQemu.Options.defaults().withMemoryMb(Bed.VM_MEMORY_MB).withCpus(1)
                .withAccelerator(bed.accelerator().equals("KVM") ? BareQemu.Accelerator.KVM : BareQemu.Accelerator.TCG)
                .withHostname("bare");
        try (BareQemuGuest guest = qemu.boot(tiny, options)) {
            double ms = guest.bootTime().toNanos() / 1e6;
            bed.log("bare QEMU: start→first command %.0f ms%s", ms, warmUp ? " (warm-up)" : "");
            if (!warmUp) {
                bareMs.add(ms);
                split(bareParts, watcher.get(), ms);
            }
        } finally {
            if (watcher.get() != null) {
                watcher.get().close();
            }
        }
    }

    /** Host side / guest / SSH parts of a boot of {@code totalMs}, from the console watcher. */
    private static void split(Phases parts, ConsoleWatcher console, double totalMs) {
        if (console == null) {
            return;
        }
        OptionalDouble marker = console.readyAfterMs(0);
        OptionalDouble uptime = console.guestUptimeMs();
        if (marker.isEmpty() || uptime.isEmpty()) {
            return;
        }
        parts.add("host_until_guest_kernel", marker.getAsDouble() - uptime.getAsDouble());
        parts.add("guest_kernel_to_sshd_listening", uptime.getAsDouble());
        parts.add("ssh_after_sshd_listening", totalMs - marker.getAsDouble());
    }

    /** The work directory of the boot BareQemu is starting (it runs one at a time here). */
    private static Path newestBareQemuDirectory() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("testbed-bareqemu-"))
                    .max(Comparator.comparing(ColdBench::modified))
                    .orElseThrow(() -> new BenchException("BareQemu's work directory is not in " + tmp));
        } catch (IOException e) {
            throw new BenchException("Cannot list " + tmp + ": " + e, e);
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }
}
