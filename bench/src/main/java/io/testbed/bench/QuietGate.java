package io.testbed.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Waits, before each measured run, until the host's CPUs are mostly idle — other builds and VMs on a shared
 * machine would otherwise land in one side of a comparison only. Busy time comes from {@code /proc/stat} over
 * {@value #WINDOW_MS} ms windows while the benchmark itself is idle. Gives up after its maximum wait and measures
 * anyway; every wait is counted for the report. Thread-safe.
 */
final class QuietGate {

    static final long WINDOW_MS = 250;
    /** The busy fraction of all CPUs below which the host counts as quiet. */
    static final double QUIET = 0.25;

    private final long maxWaitMs;
    private int gates;
    private int gaveUp;
    private long waitedMs;
    private final Samples busyAtStart = new Samples();

    QuietGate(long maxWaitMs) {
        this.maxWaitMs = maxWaitMs;
    }

    /** Returns once a window was quiet, or after the maximum wait. */
    void await() {
        long start = System.nanoTime();
        double busy;
        boolean quiet;
        do {
            busy = busyFraction();
            quiet = busy < 0 || busy <= QUIET;
        } while (!quiet && (System.nanoTime() - start) / 1_000_000 < maxWaitMs);
        synchronized (this) {
            gates++;
            waitedMs += (System.nanoTime() - start) / 1_000_000;
            if (!quiet) {
                gaveUp++;
            }
            if (busy >= 0) {
                busyAtStart.add(busy);
            }
        }
    }

    /** How often the gate has given up so far. */
    synchronized int gaveUp() {
        return gaveUp;
    }

    /** For the report: how often the gate ran, how long it waited, how often it gave up, the median busy fraction. */
    synchronized Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("quietBelowBusyFraction", QUIET);
        summary.put("gates", gates);
        summary.put("waitedSeconds", waitedMs / 1000.0);
        summary.put("maxWaitSeconds", maxWaitMs / 1000.0);
        summary.put("gaveUp", gaveUp);
        summary.put("medianBusyFractionAtStart", busyAtStart.isEmpty() ? null : busyAtStart.median());
        return summary;
    }

    /** The fraction of all CPUs' time that was busy during one window; -1 when /proc/stat cannot be read. */
    private static double busyFraction() {
        long[] before = cpuTimes();
        try {
            Thread.sleep(WINDOW_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        long[] after = cpuTimes();
        if (before == null || after == null) {
            return -1;
        }
        long total = after[0] - before[0];
        long idle = after[1] - before[1];
        return total <= 0 ? -1 : (double) (total - idle) / total;
    }

    /** Total and idle (idle + iowait) jiffies of the aggregate {@code cpu} line. */
    private static long[] cpuTimes() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] fields = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
            return new long[] {total, idle};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
