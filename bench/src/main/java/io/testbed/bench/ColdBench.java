package io.testbed.bench;

import io.testbed.core.ExecResult;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.images.Template;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cold start of one tiny VM: Testbed against two anchors that boot the same template without libvirt, all three
 * alternating in one run (round by round the order is reversed, so each pair swaps who goes first); also the whole
 * provisioning of a 1-VM environment and the VM's disk footprint.
 *
 * <ul>
 *   <li>{@code vm.cold.first_command}: Testbed from the machine's {@code start()} (journal {@code machine.start}
 *       started) to its first command answered ({@code machine.ready} ok), so the per-session template resolve and
 *       KVM probe, the overlay, seed and domain definition are not counted; against the same QEMU command line
 *       libvirt ran for Testbed's domain (read from libvirt's log after the warm-up), started by hand on a tap on
 *       the bench's own bridge, from the process start to its first SSH command ({@link ColdAnchors}).</li>
 *   <li>{@code vm.cold.vs_floor}: the same Testbed samples against the floor, QEMU's {@code microvm} with direct
 *       kernel boot and no firmware: how far Testbed is from the fastest known boot of the same guest.</li>
 *   <li>{@code vm.provision.one}: {@code Engine.provision} of the 1-VM environment, all of it (lease, network,
 *       template resolve, disks, boot, baseline snapshot).</li>
 *   <li>{@code vm.disk_bytes.*}: the overlay's allocated bytes right after the boot (measured in the provisioning
 *       thread as the {@code machine.ready} event is journaled, before the baseline) and after the baseline
 *       snapshot, whose difference is the snapshot's state, divided by the guest's memory.</li>
 * </ul>
 * Every boot is split with the guest's console: host side (until the guest kernel starts), guest (kernel to
 * dropbear listening, from the guest's uptime) and SSH (ready line seen to first command answered).
 */
final class ColdBench {

    /** The metrics. */
    record Result(List<Metric> metrics) {}

    private static final String VM = "vm1";
    private static final double MB = 1e6;
    static final String SAME_ANCHOR = "the same QEMU command line libvirt ran for Testbed's domain (machine type,"
            + " firmware, CPU model, memory, disk cache, virtio devices, sandbox), started without libvirt as root,"
            + " NIC on a tap on a bridge the bench creates on a leased subnet, to its first SSH command";
    static final String FLOOR_ANCHOR = "floor: QEMU microvm (PCIe, no legacy devices), direct kernel boot, no"
            + " firmware, same kernel, initramfs, root, CPU model, memory and accelerator, tap on the same bridge,"
            + " disks cache=unsafe, to its first SSH command";

    private final Bed bed;
    private final Samples testbedMs = new Samples();
    private final Samples sameMs = new Samples();
    private final Samples floorMs = new Samples();
    private final Samples provisionMs = new Samples();
    private final Samples teardownMs = new Samples();
    private final Phases testbedParts = new Phases();
    private final Phases sameParts = new Phases();
    private final Phases floorParts = new Phases();
    private final Phases provisionParts = new Phases();
    private final Samples overlayAfterBootMb = new Samples();
    private final Samples overlayAfterBaselineMb = new Samples();
    private final Samples snapshotStateMb = new Samples();
    private ColdAnchors anchors;

    private ColdBench(Bed bed) {
        this.bed = bed;
    }

    static Result run(Bed bed) {
        ColdBench bench = new ColdBench(bed);
        try {
            return bench.measure();
        } finally {
            if (bench.anchors != null) {
                bench.anchors.close();
            }
        }
    }

    private Result measure() {
        Template tiny = bed.tinyTemplate();
        // the warm-up starts with Testbed: the anchors repeat the command line libvirt ran for its domain
        testbed(true);
        same(tiny, true);
        floor(tiny, true);
        for (int round = 1; round <= bed.options.runs(); round++) {
            if (round % 2 == 0) {
                testbed(false);
                same(tiny, false);
                floor(tiny, false);
            } else {
                floor(tiny, false);
                same(tiny, false);
                testbed(false);
            }
        }
        double guestMemoryMb = Bed.VM_MEMORY_MB * 1024.0 * 1024.0 / MB;
        String setup = "1 tiny VM, " + Bed.VM_MEMORY_MB + " MiB, 1 vCPU, " + bed.accelerator() + "; Testbed from"
                + " the machine's start() (libvirt domain create) to the first command answered over SSH";
        Metric cold = Metric.named("vm.cold.first_command", "ms")
                .samples(testbedMs)
                .anchor(SAME_ANCHOR, sameMs)
                .target(Target.ratioAtMost(1.2))
                .note(setup + "; the anchor from the QEMU process start to the same point; command line: "
                        + String.join(" ", anchors.libvirtCommand()))
                .parts(testbedParts, "testbed.")
                .parts(sameParts, "anchor.")
                .build();
        Metric floor = Metric.named("vm.cold.vs_floor", "ms")
                .samples(testbedMs)
                .anchor(FLOOR_ANCHOR, floorMs)
                .note(setup + "; the same samples as vm.cold.first_command, against the floor")
                .parts(floorParts, "floor.")
                .build();
        Metric provision = Metric.named("vm.provision.one", "ms")
                .samples(provisionMs)
                .note("Engine.provision of 1 tiny VM on 1 leased network, everything included (lease, network,"
                        + " template resolve, overlay, seed, domain, boot, baseline snapshot); teardown separate;"
                        + " includes the bench's own `qemu-img info` of the overlay when the machine is ready (for"
                        + " vm.disk_bytes.overlay_after_boot), which vm.parallel.four's runs do not have")
                .parts(provisionParts, "")
                .part("teardown", teardownMs)
                .build();
        Metric overlay = Metric.named("vm.disk_bytes.overlay_after_boot", "MB")
                .samples(overlayAfterBootMb)
                .anchor("guest memory (" + Bed.VM_MEMORY_MB + " MiB, as the examples use)", Samples.of(guestMemoryMb))
                .target(Target.valueAtMost(8))
                .note("allocated bytes of the VM's qcow2 overlay (qemu-img info actual-size) once it answered its"
                        + " first command; 1 MB = 10^6 bytes")
                .build();
        Metric snapshot = Metric.named("vm.disk_bytes.snapshot_state", "MB")
                .samples(snapshotStateMb)
                .anchor("guest memory (" + Bed.VM_MEMORY_MB + " MiB, as the examples use)", Samples.of(guestMemoryMb))
                .target(Target.ratioAtMost(0.5))
                .note("growth of the overlay's allocated bytes by the baseline snapshot (memory + device state);"
                        + " the overlay after it is in the breakdown")
                .part("overlay_after_baseline_MB", overlayAfterBaselineMb)
                .build();
        return new Result(List.of(cold, floor, provision, overlay, snapshot));
    }

    private void testbed(boolean warmUp) {
        bed.quiet.await();
        AtomicReference<Path> prefix = new AtomicReference<>();
        AtomicReference<ConsoleWatcher> watcher = new AtomicReference<>();
        AtomicReference<Object> afterBoot = new AtomicReference<>();
        Bed.Provisioned provisioned = bed.provision(
                Bed.vms("bench-cold", 1, Bed.VM_MEMORY_MB),
                recording -> recording.onEvent(event -> onEvent(event, prefix, watcher, afterBoot)));
        try {
            Recording journal = provisioned.recording();
            double startToReady =
                    journal.spanMs("machine.start", Recording.Edge.START, "machine.ready", Recording.Edge.END, VM);
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
            bed.log(
                    "testbed 1 VM: start→first command %.0f ms, provision %.0f ms, overlay %.1f MB → %.1f MB%s",
                    startToReady,
                    provisioned.provisionMs(),
                    booted.actualBytes() / MB,
                    afterBaseline.actualBytes() / MB,
                    warmUp ? " (warm-up)" : "");
            if (warmUp) {
                String shortId = provisioned.prefixDir().getFileName().toString();
                anchors = ColdAnchors.fromDomain(
                        bed, "tb-" + shortId.substring(shortId.length() - 8) + "-" + VM, provisioned.prefixDir(), VM);
                return;
            }
            testbedMs.add(startToReady);
            provisionMs.add(provisioned.provisionMs());
            ConsoleWatcher console = watcher.get();
            split(testbedParts, console, startToReady);
            testbedParts.add("libvirt_domain_start", journal.stepMs("machine.start", VM));
            for (String step : List.of(
                    "lease.acquire",
                    "provider.open",
                    "network.create",
                    "template.resolve",
                    "machine.create",
                    "machine.start",
                    "machine.ready",
                    "snapshot.create")) {
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
    private static void onEvent(
            Event event,
            AtomicReference<Path> prefix,
            AtomicReference<ConsoleWatcher> watcher,
            AtomicReference<Object> afterBoot) {
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

    private void same(Template tiny, boolean warmUp) {
        anchor(tiny, warmUp, "same command line", anchors.sameCommandLine(), sameMs, sameParts);
    }

    private void floor(Template tiny, boolean warmUp) {
        anchor(tiny, warmUp, "floor (microvm)", anchors.floor(), floorMs, floorParts);
    }

    private void anchor(
            Template tiny, boolean warmUp, String name, BareQemu.Launch launch, Samples into, Phases parts) {
        bed.quiet.await();
        AtomicReference<ConsoleWatcher> watcher = new AtomicReference<>();
        BareQemu.Launch watched = new BareQemu.Launch() {
            @Override
            public io.testbed.images.SeedIso.Nic nic() throws IOException {
                return launch.nic();
            }

            @Override
            public java.net.InetAddress dns() throws IOException {
                return launch.dns();
            }

            @Override
            public java.net.InetSocketAddress ssh(int localPort) {
                return launch.ssh(localPort);
            }

            @Override
            public List<String> command(Template template, BareQemu.Options options, BareQemu.Files files, int port) {
                List<String> command = launch.command(template, options, files, port);
                watcher.set(ConsoleWatcher.start(files.console()));
                return command;
            }
        };
        try {
            ColdAnchors.boot(tiny, Bed.VM_MEMORY_MB, watched, line -> {}, guest -> {
                double ms = guest.bootTime().toNanos() / 1e6;
                bed.log("%s: start→first command %.0f ms%s", name, ms, warmUp ? " (warm-up)" : "");
                if (!warmUp) {
                    into.add(ms);
                    split(parts, watcher.get(), ms);
                }
            });
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
}
