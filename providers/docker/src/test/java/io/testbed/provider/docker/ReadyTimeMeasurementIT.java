package io.testbed.provider.docker;

import static io.testbed.provider.docker.DockerTestSupport.container;
import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.plan.AddressPlan;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.ProviderSession;
import io.testbed.core.spi.ProviderContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Prints (does not assert) how long a container machine takes to be ready compared with a plain Testcontainers
 * {@code GenericContainer.start()} of the same image and main process, and how long a revert takes.
 */
class ReadyTimeMeasurementIT {

    private static final int ROUNDS = 5;

    @TempDir
    Path temp;

    @Test
    void measureReadyAndRevertTimes() {
        Prefix prefix = Prefix.create(temp.resolve("prefixes"), "measure");
        Owner owner = new Owner(prefix.id(), prefix.dir().toString(), ProcessHandle.current().pid());
        EnvironmentSpec spec = new EnvironmentSpec("measure", List.of(NetworkSpec.leased("lan")),
                List.of(container("solo"), container("netted", "lan")));
        AddressPlan plan = AddressPlanner.plan(spec, prefix.id(), Map.of("lan", "198.19.242.0/24"));
        try (Journal journal = Journal.open(prefix.journalFile(), prefix.name())) {
            ProviderSession session = new DockerProvider().open(new ProviderContext(prefix, journal, owner,
                    DockerTestSupport.config(temp).asMap()));
            NetworkResource lan = session.createNetwork(plan.network("lan"));
            try {
                String image = ((DockerSession) session).image(container("any"));
                List<Long> plain = new ArrayList<>();
                List<Long> solo = new ArrayList<>();
                List<Long> netted = new ArrayList<>();
                List<Long> reverts = new ArrayList<>();
                for (int round = 0; round <= ROUNDS; round++) {
                    long genericMillis = genericContainerStart(image);
                    long soloMillis = machineReady(session, plan, "solo", null);
                    long nettedMillis = machineReady(session, plan, "netted", reverts);
                    if (round > 0) { // round 0 warms up both paths
                        plain.add(genericMillis);
                        solo.add(soloMillis);
                        netted.add(nettedMillis);
                    }
                }
                System.out.println("[measure] GenericContainer.start() of " + image + ", ms: "
                        + summary(plain));
                System.out.println("[measure] Testbed container machine ready (create+start+exec answers), no"
                        + " network, ms: " + summary(solo) + String.format(" → %.2f× plain", median(solo)
                        / (double) median(plain)));
                System.out.println("[measure] Testbed container machine ready on a leased Docker network, ms: "
                        + summary(netted) + String.format(" → %.2f× plain", median(netted) / (double) median(plain)));
                System.out.println("[measure] Testbed revert of one container (kill and rename, create from snapshot, start,"
                        + " exec answers), ms: " + summary(reverts));
                List<ResourceEvent.RevertPhases> phases = JournalReader.read(prefix.journalFile())
                        .of(ResourceEvent.RevertPhases.class);
                for (String phase : List.of("remove", "create", "start", "ready")) {
                    System.out.println("[measure]   revert phase " + phase + " ms: " + summary(phases.stream()
                            .map(event -> event.phases().get(phase).toMillis()).toList()));
                }
                assertThat(plain).hasSize(ROUNDS);
            } finally {
                lan.destroy();
                session.close();
            }
        }
        assertThat(DockerTestSupport.leftovers(temp, prefix.id())).isEmpty();
    }

    private static long genericContainerStart(String image) {
        try (GenericContainer<?> plain = new GenericContainer<>(DockerImageName.parse(image))
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/bin/sh", "-c"))
                .withCommand(DockerMachine.KEEP_ALIVE)) {
            long start = System.nanoTime();
            plain.start();
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /** Creates, starts and awaits one machine; with {@code reverts}, also snapshots it and times two reverts. */
    private static long machineReady(ProviderSession session, AddressPlan plan, String name, List<Long> reverts) {
        long start = System.nanoTime();
        MachineResource resource = session.createMachine(plan.machine(name));
        try {
            resource.start();
            Machine machine = resource.awaitReady(Duration.ofSeconds(60));
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (reverts != null) {
                resource.snapshot(Environment.BASELINE);
                for (int i = 0; i < 2; i++) {
                    machine.run("touch /root/dirty", RunOptions.expectSuccess());
                    long revertStart = System.nanoTime();
                    resource.revert(Environment.BASELINE);
                    reverts.add((System.nanoTime() - revertStart) / 1_000_000);
                    assertThat(machine.run("test -e /root/dirty").exitCode()).isNotZero();
                }
            }
            return millis;
        } finally {
            resource.destroy();
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String summary(List<Long> values) {
        return values + " median " + median(values);
    }
}
