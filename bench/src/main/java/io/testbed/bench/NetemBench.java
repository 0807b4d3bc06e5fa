package io.testbed.bench;

import io.testbed.core.Environment;
import io.testbed.core.LinkConstraint;
import io.testbed.core.LinkValidation;
import io.testbed.core.Machine;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Network emulation ({@code Environment.links()}) on an 8-machine environment: 2 tiny VMs and 6 containers on one
 * leased network (8 VMs do not fit 2 TCG cores beside the rest of a run).
 *
 * <ul>
 *   <li>{@code netem.apply.eight_machines}: applying, at run time, a delay of 20 ms from the VMs to every machine,
 *       a rate of 50 mbit from the containers to every machine and 1 % loss between all pairs (traffic control in
 *       all 8 machines, 56 directions, and the host's nftables table), against touching every machine once
 *       ({@code true} on all 8 at once, the floor of any change made inside the machines); reset to the baseline
 *       (nothing) between rounds;</li>
 *   <li>{@code netem.delay.measured_vs_declared}: the median round trip vm1 → vm2 under 20 ms each way, divided by
 *       the declared 40 ms;</li>
 *   <li>{@code netem.rate.measured_vs_declared}: the rate a 4-second transfer vm1 → vm2 measured under a declared
 *       2 mbit, divided by 2 mbit.</li>
 * </ul>
 */
final class NetemBench {

    static final List<String> METRICS = List.of(
            "netem.apply.eight_machines", "netem.delay.measured_vs_declared", "netem.rate.measured_vs_declared");

    static final String ANCHOR = "`true` on all 8 machines at once (the floor of touching each machine once)";

    private NetemBench() {}

    static List<Metric> run(Bed bed) {
        bed.quiet.await();
        try (Bed.Provisioned provisioned = bed.provision(spec(), r -> {})) {
            Environment environment = provisioned.environment();
            Samples applyMs = new Samples();
            Samples floorMs = new Samples();
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round <= bed.options.runs(); round++) {
                    bed.quiet.await();
                    double floor = touchAll(environment.machines(), threads);
                    long start = System.nanoTime();
                    environment
                            .links()
                            .constrain(LinkConstraint.between("vms", "*")
                                    .delay("20ms")
                                    .build());
                    environment
                            .links()
                            .constrain(LinkConstraint.between("boxes", "*")
                                    .rate("50mbit")
                                    .build());
                    environment
                            .links()
                            .constrain(
                                    LinkConstraint.between("*", "*").loss("1%").build());
                    double apply = (System.nanoTime() - start) / 1e6;
                    provisioned.handle().resetMachines();
                    bed.log(
                            "apply to 8 machines: %.0f ms (touch all: %.0f ms)%s",
                            apply, floor, round == 0 ? " (warm-up)" : "");
                    if (round > 0) {
                        applyMs.add(apply);
                        floorMs.add(floor);
                    }
                }
            } finally {
                threads.shutdownNow();
            }
            List<Metric> metrics = new ArrayList<>();
            metrics.add(Metric.named("netem.apply.eight_machines", "ms")
                    .samples(applyMs)
                    .anchor(ANCHOR, floorMs)
                    .note("2 tiny VMs (" + bed.accelerator() + ") and 6 containers; three run-time constraints: 20 ms"
                            + " from the VMs, 50 mbit from the containers, 1 % loss everywhere (56 directions)")
                    .build());
            metrics.addAll(accuracy(bed, environment));
            return metrics;
        }
    }

    /** Delay and rate, measured against declared, between the two VMs. */
    private static List<Metric> accuracy(Bed bed, Environment environment) {
        Samples delay = new Samples();
        Samples rate = new Samples();
        environment
                .links()
                .constrain(LinkConstraint.between("vm1", "vm2")
                        .delay("20ms")
                        .rate("2mbit")
                        .symmetric()
                        .build());
        for (int round = 0; round < Math.max(1, bed.options.runs()); round++) {
            bed.quiet.await();
            LinkValidation validation = environment.links().validate(20);
            LinkValidation.Row row = validation.rows().get(0);
            delay.add(row.measuredRttMs() / (row.declaredRtt().toNanos() / 1e6));
            rate.add(row.measuredRateBits().orElseThrow() / row.declaredRateBits());
            bed.log(
                    "validate: %s",
                    validation.render().lines().skip(1).findFirst().orElse(""));
        }
        return List.of(
                Metric.named("netem.delay.measured_vs_declared", "x")
                        .samples(delay)
                        .target(Target.valueAtMost(1.10))
                        .note("median ping round trip vm1 -> vm2 / declared 40 ms (20 ms each way, netem in the"
                                + " guests); includes the raw round trip under " + bed.accelerator())
                        .build(),
                Metric.named("netem.rate.measured_vs_declared", "x")
                        .samples(rate)
                        .target(Target.valueAtMost(1.15))
                        .note("rate a receiver timed over a 4 s transfer vm1 -> vm2 (busybox nc) / declared 2 mbit"
                                + " (HTB in the guest); below 1 means slower than declared")
                        .build());
    }

    private static double touchAll(List<Machine> machines, ExecutorService threads) {
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Machine machine : machines) {
            all.add(CompletableFuture.runAsync(() -> machine.runOk("true"), threads));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        return (System.nanoTime() - start) / 1e6;
    }

    private static EnvironmentSpec spec() {
        List<MachineSpec> machines = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            machines.add(new MachineSpec(
                    "vm" + i, "libvirt", "", 1, Bed.VM_MEMORY_MB, List.of("lan"), List.of(), Set.of("vms"), Map.of()));
        }
        for (int i = 1; i <= 6; i++) {
            machines.add(new MachineSpec(
                    "box" + i,
                    "docker",
                    "",
                    1,
                    64,
                    List.of("lan"),
                    List.of(),
                    Set.of("boxes"),
                    Map.of(),
                    ContainerOptions.defaults()));
        }
        return new EnvironmentSpec("bench-netem", List.of(NetworkSpec.leased("lan")), machines);
    }
}
