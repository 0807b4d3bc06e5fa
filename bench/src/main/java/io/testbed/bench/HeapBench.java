package io.testbed.bench;

import io.testbed.core.Machine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * {@code jvm.heap_six_machines}: the test JVM's heap in use, after garbage collection, with a 6-VM environment up
 * (every machine connected and having run a command) against just before it was provisioned.
 */
final class HeapBench {

    private static final int MACHINES = 6;
    private static final int MEMORY_MB = 128;
    private static final double MIB = 1024.0 * 1024.0;

    private HeapBench() {}

    static Metric run(Bed bed) {
        Samples up = new Samples();
        Samples before = new Samples();
        Samples delta = new Samples();
        Samples provision = new Samples();
        // A warm-up environment loads every class a live environment needs, so "before" is not flattered; when an
        // earlier benchmark of this JVM provisioned environments, that is done already.
        int first = bed.provisionings() > 0 ? 1 : 0;
        for (int i = first; i <= bed.options.runs(); i++) {
            bed.quiet.await();
            double heapBefore = heapUsedAfterGc();
            try (Bed.Provisioned environment = bed.provision(Bed.vms("bench-six", MACHINES, MEMORY_MB), r -> {})) {
                for (Machine machine : environment.environment().machines()) {
                    machine.run("true");
                }
                double heapUp = heapUsedAfterGc();
                bed.log(
                        "heap: %.1f MiB before, %.1f MiB with %d VMs up (provisioned in %.0f ms)%s",
                        heapBefore / MIB,
                        heapUp / MIB,
                        MACHINES,
                        environment.provisionMs(),
                        i == 0 ? " (warm-up)" : "");
                if (i > 0) {
                    before.add(heapBefore / MIB);
                    up.add(heapUp / MIB);
                    delta.add((heapUp - heapBefore) / MIB);
                    provision.add(environment.provisionMs());
                }
            }
        }
        return Metric.named("jvm.heap_six_machines", "MiB")
                .samples(up)
                .anchor("heap in use just before provisioning", before)
                .note(MACHINES + " tiny VMs of " + MEMORY_MB + " MiB up, each having run a command; heap used after"
                        + " System.gc() ("
                        + ManagementFactory.getRuntimeMXBean().getVmName() + ", max heap "
                        + Math.round(Runtime.getRuntime().maxMemory() / MIB) + " MiB)")
                .part("delta_MiB", delta)
                .part("provision_ms", provision)
                .build();
    }

    /** Heap in use after a few full collections (System.gc() is a request; repeating it settles the figure). */
    static double heapUsedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
