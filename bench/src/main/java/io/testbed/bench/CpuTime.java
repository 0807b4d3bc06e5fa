package io.testbed.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * CPU time (user + system) that provisioning costs on this host, split by who spends it: the test JVM (engine, SSH),
 * the libvirt daemon, and the QEMU processes of one environment (vCPU threads: under TCG the guest's own work, and
 * the restore or boot I/O). With the wall time it tells whether VMs started together can overlap: {@code n} starts
 * of {@code c} CPU-seconds each need at least {@code n·c / cores} seconds.
 */
final class CpuTime {

    /** USER_HZ of Linux's /proc/&lt;pid&gt;/stat: 100 on every architecture the bench runs on. */
    private static final double TICK_MS = 10.0;

    private static final Set<String> LIBVIRT_DAEMONS = Set.of("libvirtd", "virtqemud");

    /**
     * One reading.
     *
     * @param jvmMs     this JVM's CPU time
     * @param libvirtMs the libvirt daemons' CPU time
     */
    record Reading(double jvmMs, double libvirtMs) {}

    private CpuTime() {}

    /** The JVM's and the libvirt daemons' CPU time so far. */
    static Reading now() {
        double jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e6;
        double libvirt = 0;
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes
                    .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .toList()) {
                if (LIBVIRT_DAEMONS.contains(comm(process))) {
                    libvirt += processMs(process);
                }
            }
        } catch (IOException e) {
            throw new BenchException("Cannot list /proc: " + e, e);
        }
        return new Reading(jvm, libvirt);
    }

    /** The CPU time of every QEMU process of domains whose names start with {@code domainPrefix} ({@code tb-<id>-}). */
    static double qemuMs(String domainPrefix) {
        double total = 0;
        List<Path> pidFiles = new ArrayList<>();
        try (var files = Files.list(Path.of("/run/libvirt/qemu"))) {
            files.filter(f -> f.getFileName().toString().startsWith(domainPrefix)
                            && f.getFileName().toString().endsWith(".pid"))
                    .forEach(pidFiles::add);
        } catch (IOException e) {
            throw new BenchException("Cannot list /run/libvirt/qemu: " + e, e);
        }
        for (Path pidFile : pidFiles) {
            try {
                total += processMs(Path.of("/proc", Files.readString(pidFile).strip()));
            } catch (IOException e) {
                throw new BenchException("Cannot read " + pidFile + ": " + e, e);
            }
        }
        return total;
    }

    private static String comm(Path process) {
        try {
            return Files.readString(process.resolve("comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    /** utime + stime of a process (fields 14 and 15 of its stat line, after the command's closing parenthesis). */
    private static double processMs(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_MS;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }
}
