package io.testbed.bench;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The machine the benchmarks ran on, written next to the results: numbers mean little without it.
 *
 * @param cpuModel        from {@code /proc/cpuinfo}
 * @param cores           processors the JVM sees
 * @param memoryMiB       total memory
 * @param accelerator     {@code TCG} or {@code KVM}: what Testbed chose for its VMs (the journal's
 *                        {@code accelerator} event), {@code unknown} when no VM was provisioned
 * @param acceleratorWhy  the reason the provider journaled for its choice
 * @param kernel          the host kernel release
 * @param os              the distribution's pretty name
 * @param java            the JVM's version
 * @param qemu            {@code qemu-system-x86_64 --version}
 * @param libvirt         {@code virsh version}'s library line
 * @param docker          the Docker engine's version
 * @param openssh         {@code ssh -V}
 * @param testbedCommit   the checkout's commit, when it is a git work tree
 */
@JsonPropertyOrder({
    "cpuModel",
    "cores",
    "memoryMiB",
    "accelerator",
    "acceleratorWhy",
    "kernel",
    "os",
    "java",
    "qemu",
    "libvirt",
    "docker",
    "openssh",
    "testbedCommit"
})
record HostFacts(
        String cpuModel,
        int cores,
        long memoryMiB,
        String accelerator,
        String acceleratorWhy,
        String kernel,
        String os,
        String java,
        String qemu,
        String libvirt,
        String docker,
        String openssh,
        String testbedCommit) {

    /** Queries the host; {@code accelerator} is what the benchmarks saw Testbed choose. */
    static HostFacts probe(String libvirtUri, String accelerator, String acceleratorWhy, Path checkout) {
        return new HostFacts(
                readCpuModel(),
                Runtime.getRuntime().availableProcessors(),
                readMemoryMiB(),
                accelerator,
                acceleratorWhy,
                System.getProperty("os.version"),
                osName(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                firstLine("qemu-system-x86_64", "--version"),
                libvirt(libvirtUri),
                firstLine("docker", "version", "--format", "{{.Server.Version}}"),
                firstLine("ssh", "-V"),
                firstLine("git", "-C", checkout.toString(), "rev-parse", "--short", "HEAD"));
    }

    private static String libvirt(String uri) {
        try {
            LocalCommand.Result outcome = LocalCommand.of("virsh", "-c", uri, "version")
                    .timeout(Duration.ofSeconds(20))
                    .mergeStderr()
                    .run();
            Optional<String> daemon = outcome.stdout()
                    .lines()
                    .filter(l -> l.startsWith("Running against daemon"))
                    .findFirst();
            Optional<String> library = outcome.stdout()
                    .lines()
                    .filter(l -> l.startsWith("Using library"))
                    .findFirst();
            return daemon.or(() -> library)
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .orElse("unknown (`virsh version` said: " + outcome.stdout().strip() + ")");
        } catch (LocalCommand.FailedException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String readCpuModel() {
        return fileLines("/proc/cpuinfo")
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .orElse("unknown");
    }

    private static long readMemoryMiB() {
        return fileLines("/proc/meminfo")
                .filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024)
                .orElse(-1L);
    }

    private static String osName() {
        return fileLines("/etc/os-release")
                .filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring(l.indexOf('=') + 1).replace("\"", ""))
                .orElse(System.getProperty("os.name"));
    }

    /** The first line of a file that the filter keeps. */
    private static LineFinder fileLines(String file) {
        return new LineFinder(Path.of(file));
    }

    private record LineFinder(Path file) {
        Optional<String> filter(java.util.function.Predicate<String> keep) {
            try (var lines = Files.lines(file)) {
                return lines.filter(keep).findFirst();
            } catch (IOException | java.io.UncheckedIOException e) {
                return Optional.empty();
            }
        }
    }

    /** The first line {@code command} prints when it succeeds, else {@code "unknown (…)"} saying why. */
    private static String firstLine(String... command) {
        try {
            LocalCommand.Result outcome = LocalCommand.of(command)
                    .timeout(Duration.ofSeconds(20))
                    .mergeStderr()
                    .run();
            List<String> lines =
                    outcome.stdout().lines().filter(line -> !line.isBlank()).toList();
            if (!outcome.succeeded() || lines.isEmpty()) {
                return "unknown (`" + String.join(" ", command) + "` exited " + outcome.exitCode() + ")";
            }
            return lines.get(0).strip();
        } catch (LocalCommand.FailedException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
