package io.testbed.bench;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.images.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

/**
 * Warm start of tiny VMs (restored from the template's warm image and handed their identity) against cold boots of
 * the same template and memory, alternating in one run (the order swaps each round):
 *
 * <ul>
 *   <li>{@code vm.warm.first_command}: from the machine's {@code start()} (journal {@code machine.start} started) to
 *       its first command answered ({@code machine.ready}), warm against cold: the same span
 *       {@code vm.cold.first_command} measures;</li>
 *   <li>{@code vm.warm.four}: {@code Engine.provision} of 4 VMs by warm start until all answered, against 1;</li>
 *   <li>{@code vm.warm.disk_bytes} and {@code vm.warm.memory_rss}: the overlay's allocated bytes and QEMU's resident
 *       memory once the environment is ready (baseline snapshot taken), warm against cold;</li>
 *   <li>{@code vm.warm.image_build}: the one-time build of the warm image (boot, wait for the identity channel,
 *       save), forced by discarding the image once after the warm-up.</li>
 * </ul>
 */
final class WarmBench {

    static final List<String> METRICS = List.of(
            "vm.warm.first_command", "vm.warm.four", "vm.warm.disk_bytes", "vm.warm.memory_rss", "vm.warm.image_build");

    private static final String VM = "vm1";
    private static final double MB = 1e6;

    private final Bed bed;
    private final Samples warmMs = new Samples();
    private final Samples coldMs = new Samples();
    private final Samples warmDiskMb = new Samples();
    private final Samples coldDiskMb = new Samples();
    private final Samples warmRssMb = new Samples();
    private final Samples coldRssMb = new Samples();
    private final Samples buildMs = new Samples();
    private final Samples oneMs = new Samples();
    private final Samples fourMs = new Samples();
    private final Phases warmParts = new Phases();
    private final Phases fourParts = new Phases();

    private WarmBench(Bed bed) {
        this.bed = bed;
    }

    static List<Metric> run(Bed bed) {
        return new WarmBench(bed).measure();
    }

    private List<Metric> measure() {
        Path image = one(true, true, null);
        one(false, true, null);
        discard(image);
        one(true, true, buildMs);
        for (int round = 1; round <= bed.options.runs(); round++) {
            if (round % 2 == 0) {
                one(true, false, null);
                one(false, false, null);
            } else {
                one(false, false, null);
                one(true, false, null);
            }
        }
        for (int round = 0; round <= bed.options.runs(); round++) {
            boolean warmUp = round == 0;
            if (round % 2 == 0) {
                ready(1, warmUp ? new Samples() : oneMs);
                ready(4, warmUp ? new Samples() : fourMs);
            } else {
                ready(4, fourMs);
                ready(1, oneMs);
            }
        }
        String setup = "1 tiny VM, " + Bed.VM_MEMORY_MB + " MiB, 1 vCPU, " + bed.accelerator();
        String cold = "cold boot of the same template, memory and vCPUs (" + TestbedConfig.WARM_START + "=false"
                + "), alternating";
        return List.of(
                Metric.named("vm.warm.first_command", "ms")
                        .samples(warmMs)
                        .anchor(cold + "; from start() to the first command answered", coldMs)
                        .target(Target.valueAtMost(2000))
                        .target(Target.ratioAtMost(0.4))
                        .note(setup + "; from the machine's start() (domain started paused, loadvm, identity over"
                                + " virtio-serial, resume) to the first command answered over SSH")
                        .parts(warmParts, "")
                        .build(),
                Metric.named("vm.warm.four", "ms")
                        .samples(fourMs)
                        .anchor("Engine.provision of 1 tiny VM by warm start until it answered, alternating", oneMs)
                        .target(Target.ratioAtMost(1.5))
                        .note("Engine.provision of 4 tiny VMs of " + Bed.VM_MEMORY_MB + " MiB by warm start on one"
                                + " network until all answered (parallelism " + bed.config.parallelism() + ")")
                        .parts(fourParts, "")
                        .build(),
                Metric.named("vm.warm.disk_bytes", "MB")
                        .samples(warmDiskMb)
                        .anchor(cold + "; its overlay after the baseline snapshot", coldDiskMb)
                        .target(Target.ratioAtMost(1.0))
                        .note("allocated bytes (qemu-img info actual-size) of the VM's overlay once the environment"
                                + " is ready, baseline snapshot included; a warm VM's overlay is a copy of the warm"
                                + " image's, whose inherited snapshot is deleted before the baseline; 1 MB = 10^6 B")
                        .build(),
                Metric.named("vm.warm.memory_rss", "MB")
                        .samples(warmRssMb)
                        .anchor(cold + "; its QEMU process's VmRSS", coldRssMb)
                        .target(Target.ratioAtMost(1.0))
                        .note("VmRSS of the VM's QEMU process once the environment is ready; 1 MB = 10^6 B")
                        .build(),
                Metric.named("vm.warm.image_build", "ms")
                        .samples(buildMs)
                        .note("one-time build of the warm image of the " + Bed.VM_MEMORY_MB + " MiB shape (template"
                                + " cached): overlay, boot until the guest waits on the identity channel, savevm,"
                                + " checksum; forced once per run by discarding the image after the warm-up")
                        .build());
    }

    /**
     * Provisions 1 VM warm or cold and, unless a warm-up, adds its figures; {@code build} receives the warm image's
     * build time when this provisioning built it. Returns the warm image's directory (null for a cold one).
     */
    private Path one(boolean warm, boolean warmUp, Samples build) {
        bed.quiet.await();
        Engine engine = warm ? bed.warmEngine : bed.engine;
        CpuSpent cpu = new CpuSpent(1);
        try (Bed.Provisioned provisioned = bed.provision(
                engine, Bed.vms(warm ? "bench-warm" : "bench-cold", 1, Bed.VM_MEMORY_MB), r -> r.onEvent(cpu))) {
            Recording journal = provisioned.recording();
            expectMethod(journal, warm);
            double ms = journal.spanMs("machine.start", Recording.Edge.START, "machine.ready", Recording.Edge.END, VM);
            if (provisioned.environment().machine(VM).run("true").exitCode() != 0) {
                throw new BenchException("The provisioned VM did not run `true`");
            }
            DiskUsage disk =
                    DiskUsage.of(provisioned.prefixDir().resolve("disks").resolve(VM + ".qcow2"));
            double rss = residentMb(domainName(provisioned));
            HostEvent.WarmImageResolved image =
                    journal.first(HostEvent.WarmImageResolved.class).orElse(null);
            bed.log(
                    "%s 1 VM: start→first command %.0f ms, overlay %.1f MB (snapshots %s), QEMU RSS %.1f MB;"
                            + " CPU until ready %s%s%s",
                    warm ? "warm" : "cold",
                    ms,
                    disk.actualBytes() / MB,
                    snapshots(provisioned.prefixDir().resolve("disks").resolve(VM + ".qcow2")),
                    rss,
                    cpu.describe(),
                    image != null && image.built()
                            ? String.format(
                                    ", warm image built in %.1f s",
                                    image.duration().toMillis() / 1000.0)
                            : "",
                    warmUp ? " (warm-up)" : "");
            if (build != null && image != null && image.built()) {
                build.add(image.duration().toNanos() / 1e6);
            }
            if (!warmUp) {
                (warm ? warmMs : coldMs).add(ms);
                (warm ? warmDiskMb : coldDiskMb).add(disk.actualBytes() / MB);
                (warm ? warmRssMb : coldRssMb).add(rss);
                if (warm) {
                    double restore = providerStepMs(journal, "warm.restore");
                    warmParts.add("restore_and_identity", restore);
                    warmParts.add("guest_to_first_command", ms - restore);
                    cpu.addTo(warmParts, 1);
                }
            }
            return image == null ? null : Path.of(image.path());
        }
    }

    /** Provisions {@code count} VMs by warm start; adds the time until all answered. */
    private void ready(int count, Samples into) {
        bed.quiet.await();
        CpuSpent cpu = new CpuSpent(count);
        try (Bed.Provisioned provisioned = bed.provision(
                bed.warmEngine, Bed.vms("bench-warm-" + count, count, Bed.VM_MEMORY_MB), r -> r.onEvent(cpu))) {
            expectMethod(provisioned.recording(), true);
            bed.log(
                    "%d VM(s) warm: all answered after %.0f ms; CPU until then %s",
                    count, provisioned.readyMs(), cpu.describe());
            into.add(provisioned.readyMs());
            if (count > 1 && into == fourMs) {
                cpu.addTo(fourParts, count);
                for (String machine : provisioned.recording().readyMachines()) {
                    fourParts.add(
                            "machine_start_to_ready",
                            provisioned
                                    .recording()
                                    .spanMs(
                                            "machine.start",
                                            Recording.Edge.START,
                                            "machine.ready",
                                            Recording.Edge.END,
                                            machine));
                }
            }
        }
    }

    /**
     * The CPU time a provisioning cost until its {@code machines} all answered: the JVM's and libvirt's since it
     * started, and its QEMU processes' (all started after it).
     */
    private static final class CpuSpent implements java.util.function.Consumer<Event> {
        private final int machines;
        private CpuTime.Reading start;
        private String domainPrefix;
        private int ready;
        private double jvmMs;
        private double libvirtMs;
        private double qemuMs;

        CpuSpent(int machines) {
            this.machines = machines;
        }

        @Override
        public synchronized void accept(Event event) {
            if (event instanceof io.testbed.core.journal.EnvironmentEvent.ProvisioningStarted started) {
                start = CpuTime.now();
                String shortId = Path.of(started.prefix()).getFileName().toString();
                domainPrefix = "tb-" + shortId.substring(shortId.length() - 8) + "-";
            } else if (event instanceof ResourceEvent.MachineReady && ++ready == machines && start != null) {
                CpuTime.Reading end = CpuTime.now();
                jvmMs = end.jvmMs() - start.jvmMs();
                libvirtMs = end.libvirtMs() - start.libvirtMs();
                qemuMs = CpuTime.qemuMs(domainPrefix);
            }
        }

        /** Adds the CPU time per machine to {@code parts}. */
        synchronized void addTo(Phases parts, int count) {
            parts.add("cpu_qemu_per_vm", qemuMs / count);
            parts.add("cpu_jvm_per_vm", jvmMs / count);
            parts.add("cpu_libvirt_per_vm", libvirtMs / count);
            parts.add("cpu_total_per_vm", (qemuMs + jvmMs + libvirtMs) / count);
        }

        synchronized String describe() {
            return String.format(
                    java.util.Locale.ROOT, "QEMU %.0f ms, JVM %.0f ms, libvirt %.0f ms", qemuMs, jvmMs, libvirtMs);
        }
    }

    private static void expectMethod(Recording journal, boolean warm) {
        ResourceEvent.StartMethod expected = warm ? ResourceEvent.StartMethod.WARM : ResourceEvent.StartMethod.COLD;
        for (Event event : journal.events()) {
            if (event instanceof ResourceEvent.StartChosen chosen && chosen.method() != expected) {
                throw new BenchException("machine " + chosen.machine() + " started " + chosen.method() + ", not "
                        + expected + ": " + chosen.reason());
            }
        }
    }

    private static double providerStepMs(Recording journal, String step) {
        return journal.events().stream()
                .filter(e ->
                        e instanceof ResourceEvent.ProviderStep s && s.step().equals(step))
                .map(e -> Recording.millis(((ResourceEvent.ProviderStep) e).duration()))
                .findFirst()
                .orElseThrow(() -> new BenchException("The journal has no provider step " + step));
    }

    /** Throws the warm image away (renamed first, as the store does), so the next warm start builds it. */
    private void discard(Path image) {
        if (image == null) {
            throw new BenchException("The warm start journaled no warm image");
        }
        Path doomed = image.resolveSibling(".tmp-bench-" + UUID.randomUUID());
        try {
            Files.move(image, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BenchException("Cannot discard the warm image " + image + ": " + e, e);
        }
        FileTrees.deleteQuietly(doomed);
    }

    /** The overlay's snapshots and the bytes of memory state each holds, for the log. */
    private static String snapshots(Path overlay) {
        var info = io.testbed.core.internal.support.LocalCommand.of(
                        "qemu-img", "info", "-U", "--output=json", overlay.toString())
                .run();
        if (!info.succeeded()) {
            return "unreadable";
        }
        try {
            List<String> parts = new java.util.ArrayList<>();
            for (var snapshot : io.testbed.core.internal.json.Json.mapper()
                    .readTree(info.stdout())
                    .path("snapshots")) {
                parts.add(String.format(
                        java.util.Locale.ROOT,
                        "%s %.3f MB",
                        snapshot.path("name").asText(),
                        snapshot.path("vm-state-size").asLong() / MB));
            }
            return String.join(", ", parts);
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static String domainName(Bed.Provisioned provisioned) {
        String shortId = provisioned.prefixDir().getFileName().toString();
        return "tb-" + shortId.substring(shortId.length() - 8) + "-" + VM;
    }

    /** VmRSS of the domain's QEMU process, in MB (10^6 bytes). */
    private static double residentMb(String domain) {
        try {
            String pid = Files.readString(Path.of("/run/libvirt/qemu", domain + ".pid"))
                    .strip();
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / MB;
                }
            }
            throw new BenchException("/proc/" + pid + "/status has no VmRSS");
        } catch (IOException | NumberFormatException e) {
            throw new BenchException("Cannot read the resident memory of domain " + domain + "'s QEMU: " + e, e);
        }
    }
}
