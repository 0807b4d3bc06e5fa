package io.testbed.provider.docker;

import static io.testbed.provider.docker.DockerTestSupport.container;
import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.journal.Journal;
import io.testbed.core.plan.AddressPlan;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects of a dead owner (its JVM was killed: simulated by a prefix whose pid is a killed child process) are found
 * by their labels and removed; a live owner's objects stay.
 */
class DockerReaperIT {

    @TempDir
    Path temp;

    @Test
    void reapOrphansRemovesTheContainersNetworksAndImagesOfADeadOwnerOnly() throws Exception {
        Process child = new ProcessBuilder("sleep", "600").start();
        long deadPid = child.pid();
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();

        Prefix dead = Prefix.create(temp.resolve("prefixes"), "orphan");
        Owner deadOwner = new Owner(dead.id(), dead.dir().toString(), deadPid);
        assertThat(OwnerLiveness.isAlive(deadOwner)).isFalse();
        Prefix live = Prefix.create(temp.resolve("prefixes"), "alive");
        Owner liveOwner = new Owner(
                live.id(), live.dir().toString(), ProcessHandle.current().pid());
        assertThat(OwnerLiveness.isAlive(liveOwner)).isTrue();
        // below the engine nothing leases for us: take two subnets from the host-wide store, held by this JVM
        List<String> subnets = DockerTestSupport.leaseSubnets(temp, live, 2);
        DockerProvider provider = new DockerProvider();
        Created orphan = null;
        Created alive = null;
        try {
            orphan = create(provider, dead, deadOwner, subnets.get(0));
            alive = create(provider, live, liveOwner, subnets.get(1));
            String orphanContainer = orphan.plan.machines().get(0).objectName();
            String orphanNetwork = orphan.plan.networks().get(0).objectName();
            assertThat(DockerTestSupport.leftovers(temp, dead.id()))
                    .as("what the 'crashed' JVM left")
                    .hasSize(3)
                    .anyMatch(o -> o.startsWith("container"))
                    .anyMatch(o -> o.startsWith("network"))
                    .anyMatch(o -> o.startsWith("image"));

            List<String> reaped = provider.reapOrphans(owner -> !OwnerLiveness.isAlive(owner), Map.of());

            assertThat(DockerTestSupport.leftovers(temp, dead.id()))
                    .as("objects of the dead owner")
                    .isEmpty();
            assertThat(reaped).hasSize(3);
            assertThat(reaped)
                    .anyMatch(line -> line.equals(
                            "docker container /" + orphanContainer + " of " + dead.dir() + " (pid " + deadPid + ")"));
            assertThat(reaped)
                    .anyMatch(line -> line.startsWith("docker network " + orphanNetwork + " of " + dead.dir()));
            assertThat(reaped)
                    .anyMatch(line -> line.startsWith("docker image ")
                            && line.contains(dead.dir().toString()));
            assertThat(DockerTestSupport.leftovers(temp, live.id()))
                    .as("the live owner's objects")
                    .hasSize(3);
            alive.machine.awaitReady(Duration.ofSeconds(10)).run("true");
        } finally {
            if (alive != null) {
                alive.machine.destroy();
                alive.session.close();
            }
            provider.reapOrphans(
                    owner -> owner.prefixId().equals(live.id())
                            || owner.prefixId().equals(dead.id()),
                    Map.of());
            DockerTestSupport.leaseStore(temp).release(live.id());
        }
        assertThat(DockerTestSupport.leftovers(temp, live.id())).isEmpty();
    }

    private record Created(AddressPlan plan, ProviderSession session, MachineResource machine) {}

    /** A network, a running container and a baseline image, as an environment of {@code owner} has them. */
    private Created create(DockerProvider provider, Prefix prefix, Owner owner, String subnet) {
        EnvironmentSpec spec = new EnvironmentSpec(
                prefix.name(), List.of(NetworkSpec.leased("lan")), List.of(container("web", "lan")));
        AddressPlan plan = AddressPlanner.plan(spec, prefix.id(), Map.of("lan", subnet));
        Journal journal = Journal.open(prefix.journalFile(), prefix.name());
        ProviderSession session = provider.open(new ProviderContext(
                prefix, journal, owner, DockerTestSupport.config(temp).asMap()));
        session.createNetwork(plan.networks().get(0));
        MachineResource machine = session.createMachine(plan.machines().get(0));
        machine.start();
        machine.awaitReady(Duration.ofSeconds(60));
        machine.snapshot(Environment.BASELINE);
        return new Created(plan, session, machine);
    }
}
