package io.testbed.bench;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.journal.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code vm.revert.two_vms}: {@code Environment.revert(BASELINE)} of a 2-VM environment until both machines
 * answered a command, against a cold provisioning of the same environment until both answered (the baseline
 * snapshot, which only a reverting user needs, is left out of the anchor). Before each revert both machines
 * write a marker file; after it the bench checks the marker is gone. The last environment of the anchor runs stays
 * up for the reverts and the exec benchmark ({@link ExecBench}).
 */
final class RevertBench {

    private RevertBench() {}

    static List<Metric> run(Bed bed) {
        Samples coldMs = new Samples();
        Phases coldParts = new Phases();
        Bed.Provisioned kept = null;
        try {
            for (int i = 0; i <= bed.options.runs(); i++) {
                bed.quiet.await();
                Bed.Provisioned provisioned = bed.provision(Bed.vms("bench-pair", 2, Bed.VM_MEMORY_MB), r -> { });
                boolean last = i == bed.options.runs();
                try {
                    double ready = provisioned.readyMs();
                    bed.log("2 VMs cold: ready %.0f ms (provision with baseline %.0f ms)%s", ready,
                            provisioned.provisionMs(), i == 0 ? " (warm-up)" : "");
                    if (i > 0) {
                        coldMs.add(ready);
                        coldParts.add("provision_with_baseline", provisioned.provisionMs());
                    }
                } finally {
                    if (last) {
                        kept = provisioned;
                    } else {
                        provisioned.close();
                    }
                }
            }
            List<Metric> metrics = new ArrayList<>();
            metrics.add(reverts(bed, kept, coldMs, coldParts));
            metrics.addAll(ExecBench.run(bed, kept.environment(), "vm1"));
            return metrics;
        } finally {
            if (kept != null) {
                kept.close();
            }
        }
    }

    private static Metric reverts(Bed bed, Bed.Provisioned provisioned, Samples coldMs, Phases coldParts) {
        Environment environment = provisioned.environment();
        List<Machine> machines = environment.machines();
        Samples revertMs = new Samples();
        Phases parts = new Phases();
        ExecutorService threads = Executors.newFixedThreadPool(machines.size());
        try {
            for (int i = 0; i <= bed.options.runs(); i++) {
                String marker = "/root/bench-marker-" + i;
                for (Machine machine : machines) {
                    machine.run("echo changed > " + marker, RunOptions.expectSuccess());
                }
                bed.quiet.await();
                int before = provisioned.recording().events().size();
                long start = System.nanoTime();
                environment.revert(Environment.BASELINE);
                double revertOnly = (System.nanoTime() - start) / 1e6;
                List<CompletableFuture<Integer>> answers = new ArrayList<>();
                for (Machine machine : machines) {
                    answers.add(CompletableFuture.supplyAsync(() -> machine.run("true").exitCode(), threads));
                }
                for (CompletableFuture<Integer> answer : answers) {
                    if (answer.join() != 0) {
                        throw new BenchException("A machine did not run `true` after the revert");
                    }
                }
                double total = (System.nanoTime() - start) / 1e6;
                for (Machine machine : machines) {
                    if (machine.run("test -e " + marker).exitCode() != 1) {
                        throw new BenchException("The revert did not undo the change on " + machine.name() + ": "
                                + marker + " still exists");
                    }
                }
                bed.log("revert 2 VMs: %.0f ms (revert() %.0f ms)%s", total, revertOnly, i == 0 ? " (warm-up)" : "");
                if (i > 0) {
                    revertMs.add(total);
                    parts.add("environment_revert_call", revertOnly);
                    parts.add("first_command_after", total - revertOnly);
                    List<Event> events = provisioned.recording().events();
                    for (Recording.Step step : Recording.steps(events.subList(before, events.size()))) {
                        if (step.name().equals("snapshot.revert")) {
                            parts.add("per_machine_revert", step.ms());
                        }
                    }
                }
            }
        } finally {
            threads.shutdownNow();
        }
        return Metric.named("vm.revert.two_vms", "ms").samples(revertMs)
                .anchor("cold provisioning of the same 2-VM environment until both answered (no baseline snapshot)",
                        coldMs)
                .target(Target.ratioAtMost(0.15)).target(Target.valueAtMost(1000))
                .note("2 tiny VMs of " + Bed.VM_MEMORY_MB + " MiB (" + bed.accelerator() + "), each with a changed"
                        + " file; Environment.revert(BASELINE), then `true` on both machines at once; the change is"
                        + " checked to be gone")
                .parts(parts, "").parts(coldParts, "anchor.").build();
    }
}
