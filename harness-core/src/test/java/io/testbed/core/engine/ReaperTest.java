package io.testbed.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper on real prefixes, a real owner registry and a real lease store in a temporary directory, with a provider
 * double that records which owners it was asked to treat as orphans.
 */
class ReaperTest {

    @TempDir
    Path temp;

    private TestbedConfig config;
    private Owners owners;

    @BeforeEach
    void setUp() {
        config = TestbedConfig.of(Map.of(
                TestbedConfig.LEASE_DIR, temp.resolve("leases").toString(),
                TestbedConfig.PREFIX_ROOT, temp.resolve("prefixes").toString()));
        owners = Owners.besideLeases(config.leaseDir());
    }

    /** A provider whose objects are the given owners; it removes those the reaper calls orphans. */
    private static final class Labelled implements Provider {
        final List<Owner> present;
        final List<String> removed = new ArrayList<>();
        final boolean fails;
        final String name;
        /** The daemon this provider talks to ({@link Provider#endpoint}). */
        String endpoint = "";

        Labelled(boolean fails, Owner... present) {
            this("objects", fails, present);
        }

        Labelled(String name, boolean fails, Owner... present) {
            this.present = new ArrayList<>(List.of(present));
            this.fails = fails;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.noneOf(Capability.class);
        }

        @Override
        public List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
            return List.of();
        }

        @Override
        public String endpoint(Map<String, String> configuration) {
            return endpoint;
        }

        @Override
        public ProviderSession open(ProviderContext context) {
            throw new AssertionError("nothing is provisioned here");
        }

        @Override
        public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
            if (fails) {
                throw new IllegalStateException("daemon down");
            }
            List<String> lines = new ArrayList<>();
            for (Owner owner : List.copyOf(present)) {
                if (isOrphan.test(owner)) {
                    present.remove(owner);
                    removed.add(owner.shortId());
                    lines.add("object of " + owner.shortId());
                }
            }
            return lines;
        }
    }

    /** A prefix with a disk, registered for process {@code pid}. */
    private Owner environment(String name, long pid) throws Exception {
        Prefix prefix = Prefix.create(config.prefixRoot(), name);
        Files.writeString(prefix.disksDir().resolve("box.qcow2"), "overlay");
        Owner owner = new Owner(prefix.id(), prefix.dir().toString(), pid);
        owners.register(owner);
        return owner;
    }

    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }

    @Test
    void reapsTheObjectsEntryAndDisksOfDeadOwnersOnlyAndKeepsLogs() throws Exception {
        Owner dead = environment("crashed", deadPid());
        Owner alive = environment("running", ProcessHandle.current().pid());
        Files.writeString(Path.of(dead.prefixPath(), "logs", "box-console.log"), "boot");
        Labelled provider = new Labelled(false, dead, alive);

        List<String> lines = Reaper.reap(config, List.of(provider));

        assertThat(provider.removed).containsExactly(dead.shortId());
        assertThat(owners.list()).containsExactly(alive);
        assertThat(Path.of(dead.prefixPath(), "disks")).isEmptyDirectory();
        assertThat(Path.of(dead.prefixPath(), "logs", "box-console.log")).exists();
        assertThat(Path.of(alive.prefixPath(), "disks", "box.qcow2")).exists();
        assertThat(lines)
                .contains("object of " + dead.shortId())
                .anyMatch(line -> line.startsWith("disks of " + dead.prefixPath() + " deleted (1 file(s))"))
                .anyMatch(line -> line.startsWith("owner " + dead.shortId()));
    }

    @Test
    void aSelectionNarrowsWhatIsReapedAndKeptEnvironmentsStay() throws Exception {
        Owner old = environment("old", deadPid());
        Owner young = environment("young", deadPid());
        Owner kept = environment("kept", deadPid());
        Files.writeString(Path.of(kept.prefixPath(), Prefix.KEPT_MARKER), "kept");
        Labelled provider = new Labelled(false, old, young, kept);

        Reaper.reap(config, List.of(provider), owner -> !owner.equals(young));

        assertThat(provider.removed).containsExactly(old.shortId());
        assertThat(owners.list()).containsExactlyInAnyOrder(young, kept);
    }

    @Test
    void anEntryStaysUntilEveryProviderTheEnvironmentUsedHasReapedIt() throws Exception {
        Owner dead = environment("vms", deadPid());
        Prefix.open(Path.of(dead.prefixPath()))
                .writeResources(List.of(new PrefixResource(
                        PrefixResource.NETWORK, "lan", "libvirt", "tb-x-lan", "198.18.0.0/24", "RUNNING", Map.of())));

        Reaper.reap(config, List.of(new Labelled(false, dead)));

        // libvirt finds the dead run's network through this entry when it reaps next
        assertThat(owners.list()).containsExactly(dead);
        assertThat(Path.of(dead.prefixPath(), "disks", "box.qcow2")).exists();
    }

    @Test
    void aFailingProviderKeepsTheEntriesSoTheNextRunFindsTheObjectsAgain() throws Exception {
        Owner dead = environment("crashed", deadPid());

        List<String> lines = Reaper.reap(config, List.of(new Labelled(true, dead)));

        assertThat(lines).containsExactly("provider objects: reaping failed: daemon down");
        assertThat(owners.list()).containsExactly(dead);
        assertThat(Path.of(dead.prefixPath(), "disks", "box.qcow2")).exists();
    }

    @Test
    void whileOneProvidersDaemonIsDownOnlyTheEnvironmentsThatUsedItStayRegistered() throws Exception {
        Owner vms = environment("vms", deadPid());
        Owner containers = environment("containers", deadPid());
        Owner unknown = environment("unknown", deadPid());
        usesA(vms, "libvirt");
        usesA(containers, "docker");

        List<String> lines = Reaper.reap(
                config, List.of(new Labelled("libvirt", false, vms), new Labelled("docker", true, containers)));

        assertThat(lines).contains("provider docker: reaping failed: daemon down");
        assertThat(owners.list()).containsExactlyInAnyOrder(containers, unknown);
        assertThat(Path.of(containers.prefixPath(), "disks", "box.qcow2")).exists();
        assertThat(Path.of(vms.prefixPath(), "disks")).isEmptyDirectory();
    }

    private static void usesA(Owner owner, String provider) {
        usesAt(owner, provider, null);
    }

    /** The owner's environment has a machine of {@code provider} recorded at {@code endpoint} (null: none). */
    private static void usesAt(Owner owner, String provider, String endpoint) {
        Prefix.open(Path.of(owner.prefixPath()))
                .writeResources(List.of(new PrefixResource(
                        PrefixResource.MACHINE, "m", provider, "tb-x-m", "", "RUNNING", Map.of(), endpoint)));
    }

    private static Labelled dockerAt(String endpoint, Owner... present) {
        Labelled docker = new Labelled("docker", false, present);
        docker.endpoint = endpoint;
        return docker;
    }

    @Test
    void anOwnerReapedAtTheEndpointItsObjectsWereRecordedAtIsDropped() throws Exception {
        Owner dead = environment("private-dockerd", deadPid());
        usesAt(dead, "docker", "unix:///tmp/x.sock");

        List<String> lines = Reaper.reap(config, List.of(dockerAt("unix:///tmp/x.sock", dead)));

        assertThat(owners.list()).isEmpty();
        assertThat(Path.of(dead.prefixPath(), "disks")).isEmptyDirectory();
        assertThat(lines).noneMatch(Reaper::isLeftover);
    }

    @Test
    void anOwnerWhoseObjectsAreInAnotherDaemonStaysAndTheLineSaysWhichEndpointItWaitsFor() throws Exception {
        Owner dead = environment("private-dockerd", deadPid());
        usesAt(dead, "docker", "unix:///tmp/x.sock");

        List<String> lines = Reaper.reap(config, List.of(dockerAt("unix:///var/run/docker.sock", dead)));

        String kept = "owner " + dead.shortId() + " (" + dead.prefixPath() + ", pid " + dead.pid() + ") kept: docker at"
                + " unix:///tmp/x.sock: not this reaper's daemon (unix:///var/run/docker.sock)";
        assertThat(lines).contains(kept);
        assertThat(Reaper.isLeftover(kept)).isTrue();
        assertThat(owners.list()).containsExactly(dead);
        assertThat(Path.of(dead.prefixPath(), "disks", "box.qcow2")).exists();
    }

    @Test
    void destroyAtAnotherEndpointKeepsTheEntryAndTheLeases() throws Exception {
        Owner owner = environment("kept-by-ide", ProcessHandle.current().pid());
        usesAt(owner, "docker", "unix:///tmp/x.sock");
        LeaseStore store = LeaseStore.fromConfiguration(config.asMap());
        store.acquire(owner, 1);

        List<String> lines = Reaper.destroy(config, List.of(dockerAt("unix:///var/run/docker.sock")), owner);

        assertThat(lines)
                .singleElement()
                .satisfies(line -> assertThat(Reaper.isLeftover(line)).isTrue());
        assertThat(owners.list()).containsExactly(owner);
        // the other daemon's network still uses its subnet
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void anOwnerRecordedWithoutEndpointIsDroppedByAnyReaperOfItsProviderAsBefore() throws Exception {
        Owner dead = environment("old-prefix", deadPid());
        usesA(dead, "docker");

        List<String> lines = Reaper.reap(config, List.of(dockerAt("unix:///var/run/docker.sock", dead)));

        assertThat(owners.list()).isEmpty();
        assertThat(lines)
                .anyMatch(line -> line.equals("owner " + dead.shortId() + " (" + dead.prefixPath() + ", pid "
                        + dead.pid() + ") unregistered"));
    }

    @Test
    void destroyRemovesOneEnvironmentWhateverItsOwnersStateWithItsLeases() throws Exception {
        Owner alive = environment("kept-by-ide", ProcessHandle.current().pid());
        Owner other = environment("other", ProcessHandle.current().pid());
        LeaseStore store = LeaseStore.fromConfiguration(config.asMap());
        store.acquire(alive, 1);
        store.acquire(other, 1);
        Labelled provider = new Labelled(false, alive, other);

        Reaper.destroy(config, List.of(provider), alive);

        assertThat(provider.removed).containsExactly(alive.shortId());
        assertThat(owners.list()).containsExactly(other);
        assertThat(store.list()).extracting(lease -> lease.prefixId()).containsExactly(other.prefixId());
        assertThat(Path.of(alive.prefixPath(), "disks")).isEmptyDirectory();
    }

    @Test
    void destroyKeepsTheLeasesWhileAProviderCouldNotRemoveItsObjects() throws Exception {
        Owner owner = environment("stuck", ProcessHandle.current().pid());
        LeaseStore store = LeaseStore.fromConfiguration(config.asMap());
        store.acquire(owner, 1);

        List<String> lines = Reaper.destroy(config, List.of(new Labelled(true, owner)), owner);

        assertThat(lines).containsExactly("provider objects: reaping failed: daemon down");
        assertThat(store.list()).hasSize(1);
        assertThat(owners.list()).containsExactly(owner);
    }
}
