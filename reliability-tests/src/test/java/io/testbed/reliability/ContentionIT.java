package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.IPAddressString;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.Reaper;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Eight JVMs provision a light environment ({@link LightVictim}: a leased network and a container) at once on this
 * small host. Each passes, or fails cleanly with a message naming the timeout it hit; while they run, the host-wide
 * lease store never holds two overlapping leases; afterwards nothing of theirs is left (the reaper has nothing to
 * do for them).
 */
class ContentionIT {

    private static final int JVMS = 8;
    private static final Duration LIMIT = Duration.ofMinutes(10);

    @Test
    void eightJvmsProvisioningAtOnceNeverShareASubnetAndLeaveNothing() throws Exception {
        Path runs = Files.createDirectories(
                Path.of("target/chaos/contention-" + ProcessHandle.current().pid())
                        .toAbsolutePath());
        List<ForkedTestClass> jvms = new ArrayList<>();
        for (int i = 0; i < JVMS; i++) {
            jvms.add(ForkedTestClass.start(Files.createDirectories(runs.resolve("jvm-" + i)), LightVictim.class));
        }
        LeaseStore store = LeaseStore.fromConfiguration(Map.of());
        Set<String> seenLeases = new HashSet<>();
        Set<String> seenPrefixes = new HashSet<>();
        int mostAtOnce = 0;
        List<String> overlaps = new ArrayList<>();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (jvms.stream().anyMatch(jvm -> jvm.process().isAlive()) && System.nanoTime() < deadline) {
            List<Lease> ours = store.list().stream()
                    .filter(lease -> lease.prefixPath().startsWith(runs.toString()))
                    .toList();
            ours.forEach(lease -> seenLeases.add(lease.prefixId() + " " + lease.subnet()));
            ours.forEach(lease -> seenPrefixes.add(lease.prefixId()));
            mostAtOnce = Math.max(mostAtOnce, ours.size());
            overlaps.addAll(overlapping(store.list()));
            Thread.sleep(50);
        }
        for (ForkedTestClass jvm : jvms) {
            assertThat(jvm.process().waitFor(1, TimeUnit.SECONDS))
                    .as("JVM %s ended within %s", jvm.run(), LIMIT)
                    .isTrue();
        }

        assertThat(overlaps).as("overlapping leases seen while the JVMs ran").isEmpty();
        // every JVM's lease was seen by the checker: the overlap check covered all eight, not a vacuous few
        assertThat(seenPrefixes)
                .as("prefixes seen holding a lease: %s", seenLeases)
                .hasSize(JVMS);
        List<String> outcomes = new ArrayList<>();
        int leftovers = 0;
        for (ForkedTestClass jvm : jvms) {
            TestbedConfig config = TestbedConfig.of(Map.of(
                    TestbedConfig.PREFIX_ROOT, ForkedTestClass.root(jvm.run()).toString()));
            Census census = new Census(ForkedTestClass.root(jvm.run()), config, List.of());
            Map<String, Integer> counts = census.count(Set.of("box"));
            leftovers += counts.values().stream().mapToInt(Integer::intValue).sum();
            String log = jvm.logTail();
            outcomes.add(jvm.run().getFileName() + ": exit " + jvm.exit() + ", leftovers " + Census.describe(counts));
            if (!"0".equals(jvm.exit())) {
                assertThat(log)
                        .as("a JVM that failed says which timeout it hit: %s", log)
                        .containsIgnoringCase("timeout")
                        .contains("testbed.");
            }
        }
        System.out.println("Eight JVMs at once (at most " + mostAtOnce + " leases held at the same time):"
                + System.lineSeparator() + String.join(System.lineSeparator(), outcomes));
        assertThat(leftovers).as("leftovers of the eight JVMs: %s", outcomes).isZero();
        // what a later run's reaper would find of them: nothing, since every JVM tore down its own
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, runs.toString()));
        assertThat(Reaper.reap(config, Engine.create(config).providers().values()))
                .noneMatch(line -> line.contains(runs.toString()));
    }

    /** Pairs of live leases of different prefixes whose subnets overlap. */
    private static List<String> overlapping(List<Lease> leases) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < leases.size(); i++) {
            for (int j = i + 1; j < leases.size(); j++) {
                Lease a = leases.get(i);
                Lease b = leases.get(j);
                if (!a.prefixId().equals(b.prefixId())
                        && new IPAddressString(a.subnet())
                                .getAddress()
                                .overlaps(new IPAddressString(b.subnet()).getAddress())) {
                    found.add(a.subnet() + " of " + a.prefixPath() + " and " + b.subnet() + " of " + b.prefixPath());
                }
            }
        }
        return found;
    }
}
