package io.testbed.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
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
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's plan, rollback and teardown order, with a recording provider double. */
class EngineTest {

    @TempDir
    Path temp;

    private TestbedConfig config() {
        return TestbedConfig.of(Map.of(
                TestbedConfig.PREFIX_ROOT,
                temp.resolve("prefixes").toString(),
                TestbedConfig.LEASE_DIR,
                temp.resolve("leases").toString(),
                TestbedConfig.LEASE_POOL,
                "198.19.200.0/22",
                TestbedConfig.PARALLELISM,
                "1"));
    }

    private static MachineSpec machine(String name, List<String> roles, String... networks) {
        return new MachineSpec(
                name, "recording", "tiny", 1, 256, List.of(networks), List.<DiskSpec>of(), Set.copyOf(roles), Map.of());
    }

    private static EnvironmentSpec cluster() {
        return new EnvironmentSpec(
                "cluster",
                List.of(NetworkSpec.leased("lan"), NetworkSpec.leased("wan")),
                List.of(
                        machine("web", List.of("frontend"), "lan", "wan"),
                        machine("db", List.of("backend"), "lan"),
                        machine("cache", List.of("backend", "fast"), "lan")));
    }

    /** A provider that can do nothing but be named: no networks, no disks, not joining other providers' networks. */
    private static Provider incapable(String name) {
        return incapable(name, new ArrayList<>());
    }

    /** {@link #incapable(String)}, adding a line to {@code reaps} each time its orphans are reaped. */
    private static Provider incapable(String name, List<String> reaps) {
        return new Provider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Set<Capability> capabilities() {
                return EnumSet.noneOf(Capability.class);
            }

            @Override
            public List<SpecProblem> validate(
                    MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
                return List.of();
            }

            @Override
            public ProviderSession open(ProviderContext context) {
                throw new AssertionError("nothing may be provisioned");
            }

            @Override
            public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
                reaps.add("reap " + name);
                return List.of();
            }
        };
    }

    @Test
    void onlyTheProvidersTheEnvironmentUsesAreAskedToReapOrphans() {
        List<String> reaps = new ArrayList<>();
        Engine engine =
                Engine.withProviders(config(), List.of(new RecordingProvider(Set.of()), incapable("docker", reaps)));
        engine.provision(new EnvironmentSpec("vms", List.of(), List.of(machine("web", List.of()))), event -> {})
                .close();
        // a VM-only environment does not wake the Docker provider (which would start Testcontainers)
        assertThat(reaps).isEmpty();
    }

    @Test
    void aDeadOwnerStaysRegisteredUntilEveryInstalledProviderHasReapedIt() throws Exception {
        // a killed JVM's owner entry is how the libvirt provider recognises its networks as orphans: a VM-less
        // environment's reaper must not drop it before the provider that holds those networks has run
        Process child = new ProcessBuilder("true").start();
        child.waitFor();
        io.testbed.core.prefix.Prefix deadPrefix =
                io.testbed.core.prefix.Prefix.create(temp.resolve("prefixes"), "killed");
        Owner dead = new Owner(deadPrefix.id(), deadPrefix.dir().toString(), child.pid());
        // killed before it recorded a resource: its spec says which provider it was about to use
        deadPrefix.writeSpec(new EnvironmentSpec(
                "killed",
                List.of(),
                List.of(new MachineSpec(
                        "box", "docker", "img", 1, 256, List.of(), List.<DiskSpec>of(), Set.of(), Map.of()))));
        Owners owners = Owners.besideLeases(config().leaseDir());
        owners.register(dead);
        Engine engine = Engine.withProviders(config(), List.of(new RecordingProvider(Set.of()), incapable("docker")));

        engine.provision(new EnvironmentSpec("vms", List.of(), List.of(machine("web", List.of()))), event -> {})
                .close();
        assertThat(owners.lookup(dead.shortId())).isPresent();

        assertThat(Reaper.reap(config(), engine.providers().values()))
                .contains("owner " + dead.shortId() + " (" + deadPrefix.dir() + ", pid " + child.pid()
                        + ") unregistered");
        assertThat(owners.lookup(dead.shortId())).isEmpty();
    }

    @Test
    void machinesNeedTheirProvidersCapabilitiesForDisksAndForeignNetworksBeforeAnythingIsCreated() {
        RecordingProvider provider = new RecordingProvider(Set.of());
        Engine engine = Engine.withProviders(config(), List.of(provider, incapable("bare")));
        EnvironmentSpec spec = new EnvironmentSpec(
                "caps",
                List.of(NetworkSpec.leased("lan")),
                List.of(
                        new MachineSpec(
                                "web",
                                "recording",
                                "tiny",
                                1,
                                256,
                                List.of("lan"),
                                List.of(new DiskSpec("data", 64)),
                                Set.of(),
                                Map.of()),
                        new MachineSpec("box", "bare", "", 1, 256, List.of("lan"), List.of(), Set.of(), Map.of())));

        assertThatThrownBy(() -> engine.provision(spec, event -> {}))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("machine 'web' disks: declares 1 data disk(s), but provider 'recording' has no "
                        + "data disks; remove them")
                .hasMessageContaining("machine 'box' networks: joins network 'lan', which provider 'recording' "
                        + "creates (its first machine's provider), but provider 'bare' cannot join another provider's "
                        + "network; declare a machine of provider 'bare' on it first");
        assertThat(provider.calls).isEmpty();
        assertThat(temp.resolve("prefixes")).doesNotExist();
    }

    @Test
    void pausingAMachineWhoseProviderCannotPauseNamesTheMissingCapability() {
        RecordingProvider provider = new RecordingProvider(Set.of());
        Engine engine = Engine.withProviders(config(), List.of(provider));
        EnvironmentHandle handle = engine.provision(
                new EnvironmentSpec("nopause", List.of(), List.of(machine("web", List.of()))), event -> {});
        Environment environment = handle.environment();
        try {
            assertThatThrownBy(() -> environment.pause("web"))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("Machine 'web' cannot be paused: its provider 'recording' has no pause (capability "
                            + "PAUSE)");
        } finally {
            handle.close();
        }
    }

    @Test
    void provisionsInDependencyOrderAndTearsDownInReverse() {
        RecordingProvider provider = new RecordingProvider(Set.of());
        Engine engine = Engine.withProviders(config(), List.of(provider));
        List<Event> progress = new ArrayList<>();
        EnvironmentHandle handle = engine.provision(cluster(), progress::add);
        Environment environment = handle.environment();

        assertThat(environment.machines()).extracting(Machine::name).containsExactly("web", "db", "cache");
        assertThat(environment.machines("backend&!fast"))
                .extracting(Machine::name)
                .containsExactly("db");
        assertThat(environment.machines("frontend|fast"))
                .extracting(Machine::name)
                .containsExactly("web", "cache");
        assertThat(environment.network("lan").cidr()).isEqualTo("198.19.200.0/24");
        assertThat(environment.machine("db").address("lan").getHostAddress()).isEqualTo("198.19.200.11");
        assertThat(LeaseStore.fromConfiguration(config().asMap()).list()).hasSize(2);

        environment.revert(Environment.BASELINE);
        handle.resetMachines();
        handle.close();
        handle.close(); // idempotent

        assertThat(provider.calls)
                .containsExactly(
                        "open",
                        "network.create lan 198.19.200.0/24",
                        "network.create wan 198.19.201.0/24",
                        "machine.create web",
                        "machine.start web",
                        "machine.create db",
                        "machine.start db",
                        "machine.create cache",
                        "machine.start cache",
                        "snapshot web baseline",
                        "snapshot db baseline",
                        "snapshot cache baseline",
                        "revert web baseline",
                        "revert db baseline",
                        "revert cache baseline",
                        "jobs.kill web",
                        "settings.restore web",
                        "jobs.kill db",
                        "settings.restore db",
                        "jobs.kill cache",
                        "settings.restore cache",
                        "machine.stop cache",
                        "machine.destroy cache",
                        "machine.stop db",
                        "machine.destroy db",
                        "machine.stop web",
                        "machine.destroy web",
                        "network.destroy wan",
                        "network.destroy lan",
                        "close");
        assertThat(LeaseStore.fromConfiguration(config().asMap()).list()).isEmpty();
        assertThat(progress)
                .hasAtLeastOneElementOfType(EnvironmentEvent.LeaseTaken.class)
                .hasAtLeastOneElementOfType(ResourceEvent.MachineReady.class)
                .hasAtLeastOneElementOfType(EnvironmentEvent.TeardownStarted.class);
        assertThat(Files.exists(environment.prefixDir().resolve("disks"))).isFalse();
        assertThat(environment.prefixDir().resolve("journal.jsonl")).exists();
    }

    @Test
    void aMachineThatFailsStopsItsSiblingsBootWaitsAndThoseNotYetCreated() {
        // two at a time: 'slow' and 'broken' boot together, 'queued' waits for a free slot
        TestbedConfig twoAtATime = config().with(TestbedConfig.PARALLELISM, "2");
        RecordingProvider provider = new RecordingProvider(Set.of("broken"), Set.of("slow"));
        Engine engine = Engine.withProviders(twoAtATime, List.of(provider));
        EnvironmentSpec spec = new EnvironmentSpec(
                "three",
                List.of(NetworkSpec.leased("lan")),
                List.of(
                        machine("slow", List.of(), "lan"),
                        machine("broken", List.of(), "lan"),
                        machine("queued", List.of(), "lan")));

        assertThatThrownBy(() -> engine.provision(spec, event -> {}))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageStartingWith("Provisioning failed: machine 'broken' during machine.ready")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .anyMatch(s -> s.getMessage()
                                .equals("machine 'slow' stopped provisioning because machine 'broken' failed"))
                        .anyMatch(s -> s.getMessage()
                                .equals("machine 'queued' stopped provisioning because machine 'broken' failed")));
        assertThat(provider.calls)
                .contains("machine.ready interrupted slow", "machine.destroy slow", "machine.destroy broken")
                .doesNotContain("machine.create queued");
    }

    @Test
    void failureRollsBackEverythingCreatedAndKeepsTheLogs() throws Exception {
        RecordingProvider provider = new RecordingProvider(Set.of("db"));
        Engine engine = Engine.withProviders(config(), List.of(provider));

        assertThatThrownBy(() -> engine.provision(cluster(), event -> {}))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageStartingWith("Provisioning failed: machine 'db' during machine.ready: SSH never answered on"
                        + " 198.19.200.11")
                .hasMessageContaining("Console tail of machine 'db':" + System.lineSeparator() + "  [    0.000] Linux"
                        + " version 6.1" + System.lineSeparator() + "  Kernel panic - not syncing: db")
                .hasMessageContaining("Everything created was rolled back; logs and journal are kept in ");

        // one machine at a time: 'cache', after the failed 'db', is never created
        assertThat(provider.calls).doesNotContain("machine.create cache");
        assertThat(provider.calls)
                .containsSubsequence(
                        "machine.stop db",
                        "machine.destroy db",
                        "machine.stop web",
                        "machine.destroy web",
                        "network.destroy wan",
                        "network.destroy lan",
                        "close");
        assertThat(provider.calls).doesNotContain("snapshot web baseline");
        assertThat(LeaseStore.fromConfiguration(config().asMap()).list()).isEmpty();
        Path prefix;
        try (Stream<Path> prefixes = Files.list(temp.resolve("prefixes"))) {
            prefix = prefixes.findFirst().orElseThrow();
        }
        JournalReader.Contents journal = JournalReader.read(prefix.resolve("journal.jsonl"));
        assertThat(journal.complete()).isTrue();
        assertThat(journal.of(EnvironmentEvent.StepFailed.class))
                .singleElement()
                .satisfies(failed -> {
                    assertThat(failed.resource()).isEqualTo("machine 'db'");
                    assertThat(failed.action()).isEqualTo("machine.ready");
                    assertThat(failed.error()).startsWith("SSH never answered on 198.19.200.11");
                });
        assertThat(journal.events())
                .filteredOn(e -> !(e instanceof ResourceEvent.StateChanged))
                .last()
                .isInstanceOfSatisfying(EnvironmentEvent.Closed.class, closed -> {
                    assertThat(closed.outcome()).isEqualTo(EnvironmentEvent.Outcome.ROLLED_BACK);
                    assertThat(closed.problems()).isZero();
                });
        assertThat(journal.of(EnvironmentEvent.ProvisioningFailed.class)).hasSize(1);
        assertThat(Files.readString(prefix.resolve("resources.json")))
                .contains("DESTROYED")
                .doesNotContain("RUNNING");
    }

    @Test
    void journalsEveryStepAsTypedEventsFromProvisioningToTeardown() {
        EnvironmentSpec spec = new EnvironmentSpec(
                "pair",
                List.of(NetworkSpec.leased("lan")),
                List.of(machine("web", List.of("frontend"), "lan"), machine("db", List.of(), "lan")));
        Engine engine = Engine.withProviders(config(), List.of(new RecordingProvider(Set.of())));
        EnvironmentHandle handle = engine.provision(spec, event -> {});
        Environment environment = handle.environment();
        environment.revert(Environment.BASELINE);
        handle.close();

        JournalReader.Contents journal =
                JournalReader.read(environment.prefixDir().resolve("journal.jsonl"));
        assertThat(journal.complete()).isTrue();
        assertThat(journal.truncated()).isFalse();
        assertThat(journal.unknownTypes()).isZero();
        assertThat(journal.events())
                .allSatisfy(e -> assertThat(e.environment()).isEqualTo("pair"))
                .isSortedAccordingTo(java.util.Comparator.comparing(Event::time));
        assertThat(journal.events())
                .filteredOn(e -> !(e instanceof ResourceEvent.StateChanged))
                .extracting(EngineTest::summary)
                .containsExactly(
                        "ProvisioningStarted [web, db] [lan]",
                        "LeaseTaken {lan=198.19.200.0/24}",
                        "Planned web=recording/tiny[frontend]{lan=198.19.200.10} db=recording/tiny[]{lan=198.19.200.11}"
                                + " lan=ISOLATED 198.19.200.0/24",
                        "ProviderOpened recording",
                        "NetworkCreated lan recording",
                        "MachineCreated web recording",
                        "MachineBooting web",
                        "MachineStarted web",
                        "MachineReady web",
                        "MachineCreated db recording",
                        "MachineBooting db",
                        "MachineStarted db",
                        "MachineReady db",
                        "SnapshotTaken web baseline",
                        "SnapshotTaken db baseline",
                        "Ready",
                        "Reverted web baseline",
                        "Reverted db baseline",
                        "TeardownStarted",
                        "MachineDestroyed db",
                        "MachineDestroyed web",
                        "NetworkDestroyed lan",
                        "LeaseReleased",
                        "Closed TORN_DOWN 0");
        assertThat(journal.of(ResourceEvent.StateChanged.class))
                .filteredOn(s -> s.name().equals("web"))
                .extracting(s -> s.from() + "->" + s.to())
                .containsExactly("DEFINED->CREATED", "CREATED->RUNNING", "RUNNING->STOPPED", "STOPPED->DESTROYED");
        ResourceEvent.MachineReady ready =
                journal.of(ResourceEvent.MachineReady.class).get(0);
        ResourceEvent.MachineBooting booting =
                journal.of(ResourceEvent.MachineBooting.class).get(0);
        assertThat(ready.bootDuration())
                .isEqualTo(java.time.Duration.between(booting.time(), ready.time()))
                .isGreaterThanOrEqualTo(ready.readyWait());
    }

    /** The kind of an event and what it concerns, for comparing whole sequences. */
    private static String summary(Event event) {
        String kind = event.getClass().getSimpleName();
        if (event instanceof EnvironmentEvent.ProvisioningStarted e) {
            return kind + " " + e.machines() + " " + e.networks();
        } else if (event instanceof EnvironmentEvent.LeaseTaken e) {
            return kind + " " + e.subnets();
        } else if (event instanceof EnvironmentEvent.Planned e) {
            StringBuilder text = new StringBuilder(kind);
            e.machines()
                    .forEach(m -> text.append(' ')
                            .append(m.name())
                            .append('=')
                            .append(m.provider())
                            .append('/')
                            .append(m.image())
                            .append(new java.util.TreeSet<>(m.roles()))
                            .append(m.addresses()));
            e.networks()
                    .forEach(n -> text.append(' ')
                            .append(n.name())
                            .append('=')
                            .append(n.mode())
                            .append(' ')
                            .append(n.subnet()));
            return text.toString();
        } else if (event instanceof HostEvent.ProviderOpened e) {
            return kind + " " + e.provider();
        } else if (event instanceof ResourceEvent.NetworkCreated e) {
            return kind + " " + e.network() + " " + e.provider();
        } else if (event instanceof ResourceEvent.NetworkDestroyed e) {
            return kind + " " + e.network();
        } else if (event instanceof ResourceEvent.MachineCreated e) {
            return kind + " " + e.machine() + " " + e.provider();
        } else if (event instanceof ResourceEvent.MachineBooting e) {
            return kind + " " + e.machine();
        } else if (event instanceof ResourceEvent.MachineStarted e) {
            return kind + " " + e.machine();
        } else if (event instanceof ResourceEvent.MachineReady e) {
            return kind + " " + e.machine();
        } else if (event instanceof ResourceEvent.MachineDestroyed e) {
            return kind + " " + e.machine();
        } else if (event instanceof ResourceEvent.SnapshotTaken e) {
            return kind + " " + e.machine() + " " + e.snapshot();
        } else if (event instanceof ResourceEvent.Reverted e) {
            return kind + " " + e.machine() + " " + e.snapshot();
        } else if (event instanceof EnvironmentEvent.Closed e) {
            return kind + " " + e.outcome() + " " + e.problems();
        }
        return kind;
    }

    @Test
    void invalidSpecIsRejectedBeforeAnythingIsCreated() {
        RecordingProvider provider = new RecordingProvider(Set.of());
        Engine engine = Engine.withProviders(config(), List.of(provider));
        EnvironmentSpec spec = new EnvironmentSpec(
                "bad",
                List.of(new NetworkSpec("lan", NetworkMode.ISOLATED, Optional.of("10.0.0.0/24"), true, 0)),
                List.of(
                        new MachineSpec(
                                "web", "recording", "missing", 1, 256, List.of("lan"), List.of(), Set.of(), Map.of()),
                        new MachineSpec("db", "vmware", "x", 1, 256, List.of(), List.of(), Set.of(), Map.of())));

        assertThatThrownBy(() -> engine.provision(spec, event -> {}))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("network 'lan' subnet:")
                .hasMessageContaining("machine 'web' image: template 'missing' does not exist")
                .hasMessageContaining("machine 'db' provider: names provider 'vmware' which is not on the class path;"
                        + " installed providers: [recording] (add the testbed-vmware dependency)");
        assertThat(provider.calls).isEmpty();
        assertThat(temp.resolve("prefixes")).doesNotExist();
    }
}
