package io.testbed.bench;

import java.util.List;

/**
 * {@code vm.parallel.four}: provisioning an environment of 4 tiny VMs at once against one of 1 VM, each the whole
 * {@code Engine.provision} (baseline snapshot included). The 1-VM figures come from {@link ColdBench} of the same
 * run when it ran, else they are measured here, interleaved.
 */
final class ParallelBench {

    private ParallelBench() {}

    static Metric run(Bed bed, Samples provisionOneMs) {
        Samples fourMs = new Samples();
        Samples oneMs = provisionOneMs != null ? provisionOneMs : new Samples();
        Phases parts = new Phases();
        for (int i = 0; i <= bed.options.runs(); i++) {
            if (provisionOneMs == null) {
                bed.quiet.await();
                try (Bed.Provisioned one = bed.provision(Bed.vms("bench-one", 1, Bed.VM_MEMORY_MB), r -> { })) {
                    if (i > 0) {
                        oneMs.add(one.provisionMs());
                    }
                }
            }
            bed.quiet.await();
            Bed.Provisioned four = bed.provision(Bed.vms("bench-four", 4, Bed.VM_MEMORY_MB), r -> { });
            try {
                bed.log("4 VMs: provision %.0f ms, all ready after %.0f ms%s", four.provisionMs(), four.readyMs(),
                        i == 0 ? " (warm-up)" : "");
                if (i > 0) {
                    fourMs.add(four.provisionMs());
                    parts.add("all_ready", four.readyMs());
                    Recording journal = four.recording();
                    for (String subject : journal.readyMachines()) {
                        parts.add("machine_start_to_ready", journal.spanMs("machine.start", Recording.Edge.START,
                                "machine.ready", Recording.Edge.END, subject));
                    }
                    journal.all("snapshot.create").forEach(e -> parts.add("snapshot_create", e.ms()));
                }
            } finally {
                long start = System.nanoTime();
                four.close();
                if (i > 0) {
                    parts.add("teardown", (System.nanoTime() - start) / 1e6);
                }
            }
        }
        return Metric.named("vm.parallel.four", "ms").samples(fourMs)
                .anchor("Engine.provision of 1 tiny VM (vm.provision.one)", oneMs)
                .target(Target.ratioAtMost(2.5))
                .note("Engine.provision of 4 tiny VMs of " + Bed.VM_MEMORY_MB + " MiB on one network (" + bed.accelerator()
                        + ", parallelism " + bed.config.parallelism() + "), baseline snapshots included")
                .parts(parts, "").build();
    }

    static List<String> metricNames() {
        return List.of("vm.parallel.four");
    }
}
