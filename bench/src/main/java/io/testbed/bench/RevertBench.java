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
 * snapshot, which only a reverting user needs, is left out of the anchor), alternating round by round in one run
 * (the order swaps each round). Before each revert both machines write a marker file; after it the bench checks
 * the marker is gone. The reverted environment stays up through the rounds (so the cold runs share the host with
 * its two idle VMs, as the reverts do) and serves the exec benchmark ({@link ExecBench}) afterwards.
 */
final class RevertBench {

    static final String ANCHOR = "cold provisioning of the same 2-VM environment until both answered (no baseline"
            + " snapshot), alternating with the reverts";

    private RevertBench() {}

    static List<Metric> run(Bed bed) {
        bed.quiet.await();
        try (Bed.Provisioned kept = bed.provision(Bed.vms("bench-pair", 2, Bed.VM_MEMORY_MB), r -> {})) {
            Samples coldMs = new Samples();
            Samples revertMs = new Samples();
            Phases parts = new Phases();
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round <= bed.options.runs(); round++) {
                    boolean warmUp = round == 0;
                    if (round % 2 == 0) {
                        revert(bed, kept, round, threads, warmUp ? new Samples() : revertMs, parts, warmUp);
                        cold(bed, warmUp ? new Samples() : coldMs, parts, warmUp);
                    } else {
                        cold(bed, coldMs, parts, false);
                        revert(bed, kept, round, threads, revertMs, parts, false);
                    }
                }
            } finally {
                threads.shutdownNow();
            }
            List<Metric> metrics = new ArrayList<>();
            metrics.add(Metric.named("vm.revert.two_vms", "ms")
                    .samples(revertMs)
                    .anchor(ANCHOR, coldMs)
                    .target(Target.ratioAtMost(0.15))
                    .target(Target.valueAtMost(1000))
                    .note("2 tiny VMs of " + Bed.VM_MEMORY_MB + " MiB (" + bed.accelerator() + "), each with a"
                            + " changed file; Environment.revert(BASELINE), then `true` on both machines at once; the"
                            + " change is checked to be gone")
                    .parts(parts, "")
                    .build());
            metrics.addAll(ExecBench.run(bed, kept.environment(), "vm1"));
            return metrics;
        }
    }

    /** Cold provisioning of another 2-VM environment until both machines answered; torn down at once. */
    private static void cold(Bed bed, Samples into, Phases parts, boolean warmUp) {
        bed.quiet.await();
        try (Bed.Provisioned provisioned = bed.provision(Bed.vms("bench-cold-pair", 2, Bed.VM_MEMORY_MB), r -> {})) {
            double ready = provisioned.readyMs();
            bed.log(
                    "2 VMs cold: ready %.0f ms (provision with baseline %.0f ms)%s",
                    ready, provisioned.provisionMs(), warmUp ? " (warm-up)" : "");
            into.add(ready);
            if (!warmUp) {
                parts.add("anchor.provision_with_baseline", provisioned.provisionMs());
            }
        }
    }

    private static void revert(
            Bed bed,
            Bed.Provisioned provisioned,
            int round,
            ExecutorService threads,
            Samples into,
            Phases parts,
            boolean warmUp) {
        Environment environment = provisioned.environment();
        List<Machine> machines = environment.machines();
        String marker = "/root/bench-marker-" + round;
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
                throw new BenchException(
                        "The revert did not undo the change on " + machine.name() + ": " + marker + " still exists");
            }
        }
        bed.log("revert 2 VMs: %.0f ms (revert() %.0f ms)%s", total, revertOnly, warmUp ? " (warm-up)" : "");
        into.add(total);
        if (!warmUp) {
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
}
