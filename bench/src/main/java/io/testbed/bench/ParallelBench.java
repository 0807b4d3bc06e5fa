package io.testbed.bench;

import java.util.List;

/**
 * {@code vm.parallel.four}: provisioning an environment of 4 tiny VMs at once against one of 1 VM, each the whole
 * {@code Engine.provision} (baseline snapshot included), measured here in pairs, alternating (the order swaps each
 * round), with no bench hook in the provisioning thread.
 */
final class ParallelBench {

    private ParallelBench() {}

    static Metric run(Bed bed) {
        Samples fourMs = new Samples();
        Samples oneMs = new Samples();
        Phases parts = new Phases();
        for (int round = 0; round <= bed.options.runs(); round++) {
            boolean warmUp = round == 0;
            if (round % 2 == 0) {
                one(bed, warmUp, oneMs);
                four(bed, warmUp, fourMs, parts);
            } else {
                four(bed, warmUp, fourMs, parts);
                one(bed, warmUp, oneMs);
            }
        }
        return Metric.named("vm.parallel.four", "ms")
                .samples(fourMs)
                .anchor(
                        "Engine.provision of 1 tiny VM of " + Bed.VM_MEMORY_MB + " MiB, alternating with the 4-VM"
                                + " runs",
                        oneMs)
                .target(Target.ratioAtMost(2.5))
                .note("Engine.provision of 4 tiny VMs of " + Bed.VM_MEMORY_MB + " MiB on one network ("
                        + bed.accelerator() + ", parallelism " + bed.config.parallelism() + "), baseline snapshots"
                        + " included")
                .parts(parts, "")
                .build();
    }

    private static void one(Bed bed, boolean warmUp, Samples into) {
        bed.quiet.await();
        try (Bed.Provisioned one = bed.provision(Bed.vms("bench-one", 1, Bed.VM_MEMORY_MB), r -> {})) {
            bed.log("1 VM: provision %.0f ms%s", one.provisionMs(), warmUp ? " (warm-up)" : "");
            if (!warmUp) {
                into.add(one.provisionMs());
            }
        }
    }

    private static void four(Bed bed, boolean warmUp, Samples into, Phases parts) {
        bed.quiet.await();
        Bed.Provisioned four = bed.provision(Bed.vms("bench-four", 4, Bed.VM_MEMORY_MB), r -> {});
        try {
            bed.log(
                    "4 VMs: provision %.0f ms, all ready after %.0f ms%s",
                    four.provisionMs(), four.readyMs(), warmUp ? " (warm-up)" : "");
            if (!warmUp) {
                into.add(four.provisionMs());
                parts.add("all_ready", four.readyMs());
                Recording journal = four.recording();
                for (String subject : journal.readyMachines()) {
                    parts.add(
                            "machine_start_to_ready",
                            journal.spanMs(
                                    "machine.start",
                                    Recording.Edge.START,
                                    "machine.ready",
                                    Recording.Edge.END,
                                    subject));
                }
                journal.all("snapshot.create").forEach(e -> parts.add("snapshot_create", e.ms()));
            }
        } finally {
            long start = System.nanoTime();
            four.close();
            if (!warmUp) {
                parts.add("teardown", (System.nanoTime() - start) / 1e6);
            }
        }
    }

    static List<String> metricNames() {
        return List.of("vm.parallel.four");
    }
}
