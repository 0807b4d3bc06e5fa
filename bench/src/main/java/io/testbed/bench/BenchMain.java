package io.testbed.bench;

import io.testbed.core.config.TestbedConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs Testbed's benchmarks against their anchors, side by side in one run, prints a table and writes
 * {@code bench-results.json} beside the jar ({@code bench/target/}). See {@link Options#USAGE}.
 *
 * <p>Exit status: 0 when every metric was measured (targets missed or not), 1 when a benchmark failed or left
 * something behind, 2 on a bad command line.
 */
public final class BenchMain {

    private BenchMain() {}

    /**
     * What Testcontainers needs on a host without a registry, and reads only from the environment: no Ryuk (its
     * image cannot be pulled; Testbed labels and reaps its own objects), no start-up checks (they pull an image).
     */
    static final Map<String, String> TESTCONTAINERS_ENVIRONMENT = Map.of(
            "TESTCONTAINERS_RYUK_DISABLED", "true",
            "TESTCONTAINERS_CHECKS_DISABLE", "true");

    public static void main(String[] args) {
        if (List.of(args).contains("--render-readme")) {
            System.exit(render(args));
            return;
        }
        if (TESTCONTAINERS_ENVIRONMENT.entrySet().stream()
                .anyMatch(e -> !e.getValue().equals(System.getenv(e.getKey())))) {
            System.exit(again(args));
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    /** {@code --render-readme FILE}: prints the README's results section for a results file; runs nothing. */
    private static int render(String[] args) {
        try {
            Options options = Options.parse(args);
            System.out.print(ReadmeRenderer.render(options.renderReadme()));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        } catch (BenchException e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }

    static int run(Options options) {
        Instant started = Instant.now();
        double loadAtStart = loadAverage();
        Path home = home();
        Bed bed = new Bed(options, home, System.out);
        bed.log(
                "mode %s, %d pairs per metric after a warm-up pair; prefixes under %s",
                options.mode(), options.runs(), bed.prefixRoot());
        List<String> leaksBefore = bed.newLeaks();
        if (!leaksBefore.isEmpty()) {
            bed.log("left over from an earlier run (not counted): " + leaksBefore);
        }
        List<Metric> results = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        if (options.runs("cold")) {
            measure(
                    bed,
                    leaks,
                    results,
                    "cold",
                    () -> ColdBench.run(bed).metrics(),
                    List.of(
                            "vm.cold.first_command",
                            "vm.cold.vs_floor",
                            "vm.provision.one",
                            "vm.disk_bytes.overlay_after_boot",
                            "vm.disk_bytes.snapshot_state"));
        }
        if (options.runs("warm")) {
            measure(bed, leaks, results, "warm", () -> WarmBench.run(bed), WarmBench.METRICS);
        }
        if (options.runs("revert")) {
            List<String> names = new ArrayList<>(List.of("vm.revert.two_vms"));
            names.addAll(ExecBench.metricNames());
            measure(bed, leaks, results, "revert", () -> RevertBench.run(bed), names);
        }
        if (options.runs("parallel")) {
            measure(
                    bed,
                    leaks,
                    results,
                    "parallel",
                    () -> List.of(ParallelBench.run(bed)),
                    ParallelBench.metricNames());
        }
        if (options.runs("heap")) {
            measure(bed, leaks, results, "heap", () -> List.of(HeapBench.run(bed)), List.of("jvm.heap_six_machines"));
        }
        if (options.runs("extension")) {
            measure(
                    bed,
                    leaks,
                    results,
                    "extension",
                    () -> List.of(ExtensionBench.run(bed)),
                    List.of("extension.overhead_per_test"));
        }
        if (options.runs("container")) {
            measure(bed, leaks, results, "container", () -> ContainerBench.run(bed), ContainerBench.METRICS);
        }
        if (options.runs("ssh")) {
            measure(bed, leaks, results, "ssh", () -> List.of(SshMatchBench.run(bed)), List.of(SshMatchBench.METRIC));
        }
        if (options.runs("report")) {
            measure(bed, leaks, results, "report", () -> ReportBench.run(bed), ReportBench.METRICS);
        }
        if (options.runs("netem")) {
            measure(bed, leaks, results, "netem", () -> NetemBench.run(bed), NetemBench.METRICS);
        }
        Duration took = Duration.between(started, Instant.now());
        HostFacts host = HostFacts.probe(
                bed.config.get(TestbedConfig.LIBVIRT_URI),
                bed.accelerator(),
                bed.acceleratorWhy(),
                home.getParent() == null ? home : home.getParent());
        Report report = new Report(
                options.mode(),
                started,
                took.toMillis() / 1000.0,
                Report.loadAverage(loadAtStart, loadAverage()),
                bed.quiet.summary(),
                host,
                leaks,
                results);
        Path output = options.output() != null ? options.output() : home.resolve("bench-results.json");
        report.write(output);
        System.out.println();
        System.out.println("Host: " + host.cores() + " cores (" + host.cpuModel() + "), " + host.memoryMiB()
                + " MiB, accelerator " + host.accelerator() + ", kernel " + host.kernel() + ", QEMU " + host.qemu()
                + ", libvirt " + host.libvirt() + ", Docker " + host.docker());
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        System.out.printf("Took %.0f s. Results: %s%n", took.toMillis() / 1000.0, output.toAbsolutePath());
        boolean failed = results.stream().anyMatch(m -> m.status().equals("failed"));
        if (!leaks.isEmpty()) {
            System.out.println("LEFT BEHIND: " + leaks);
        }
        return failed || !leaks.isEmpty() ? 1 : 0;
    }

    /**
     * Runs one benchmark group and adds its metrics to {@code results}, each with how often the quiet-host gate
     * gave up during the group; on failure records each of its metrics as failed. Afterwards checks that nothing
     * was left behind that was not there before.
     */
    private static void measure(
            Bed bed,
            List<String> leaks,
            List<Metric> results,
            String group,
            Supplier<List<Metric>> benchmark,
            List<String> metrics) {
        bed.log("— %s —", group);
        int gaveUpBefore = bed.quiet.gaveUp();
        try {
            List<Metric> measured = benchmark.get();
            int busy = bed.quiet.gaveUp() - gaveUpBefore;
            measured.forEach(m -> results.add(m.withBusyStarts(busy)));
        } catch (RuntimeException e) {
            bed.log("%s failed: %s", group, e);
            e.printStackTrace(bed.out);
            metrics.forEach(name -> results.add(Metric.failed(name, "", null, e)));
        }
        List<String> left = bed.newLeaks(); // what an earlier run or group left is not this group's
        if (!left.isEmpty()) {
            bed.log("%s left behind: %s", group, left);
            left.forEach(item -> leaks.add(group + ": " + item));
        }
    }

    /**
     * Runs this benchmark again in a child JVM with {@link #TESTCONTAINERS_ENVIRONMENT} set (a JVM cannot change
     * its own environment), so the one documented command works without exporting anything.
     */
    private static int again(String[] args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchMain.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putAll(TESTCONTAINERS_ENVIRONMENT);
        try {
            return builder.start().waitFor();
        } catch (IOException e) {
            System.err.println("Cannot start the benchmark JVM `" + String.join(" ", command) + "`: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The directory of the jar ({@code bench/target}), or of the classes directory when run from an IDE. */
    static Path home() {
        try {
            Path location = Path.of(BenchMain.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return location.toAbsolutePath().normalize().getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("bench", "target").toAbsolutePath();
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
