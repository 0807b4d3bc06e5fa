package io.testbed.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.JournalEvent;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's plan, rollback and teardown order, with a recording provider double. */
class EngineTest {

    @TempDir
    Path temp;

    private TestbedConfig config() {
        return TestbedConfig.of(Map.of(
                TestbedConfig.PREFIX_ROOT, temp.resolve("prefixes").toString(),
                TestbedConfig.LEASE_DIR, temp.resolve("leases").toString(),
                TestbedConfig.LEASE_POOL, "198.19.200.0/22",
                TestbedConfig.PARALLELISM, "1"));
    }

    private static MachineSpec machine(String name, List<String> roles, String... networks) {
        return new MachineSpec(name, "recording", "tiny", 1, 256, List.of(networks), List.<DiskSpec>of(),
                Set.copyOf(roles), Map.of());
    }

    private static EnvironmentSpec cluster() {
        return new EnvironmentSpec("cluster", List.of(NetworkSpec.leased("lan"), NetworkSpec.leased("wan")),
                List.of(machine("web", List.of("frontend"), "lan", "wan"), machine("db", List.of("backend"), "lan"),
                        machine("cache", List.of("backend", "fast"), "lan")));
    }

    @Test
    void provisionsInDependencyOrderAndTearsDownInReverse() {
        RecordingProvider provider = new RecordingProvider(Set.of());
        Engine engine = Engine.withProviders(config(), List.of(provider));
        List<JournalEvent> progress = new ArrayList<>();
        EnvironmentHandle handle = engine.provision(cluster(), progress::add);
        Environment environment = handle.environment();

        assertThat(environment.machines()).extracting(Machine::name).containsExactly("web", "db", "cache");
        assertThat(environment.machines("backend&!fast")).extracting(Machine::name).containsExactly("db");
        assertThat(environment.machines("frontend|fast")).extracting(Machine::name).containsExactly("web", "cache");
        assertThat(environment.network("lan").cidr()).isEqualTo("198.19.200.0/24");
        assertThat(environment.machine("db").address("lan").getHostAddress()).isEqualTo("198.19.200.11");
        assertThat(LeaseStore.fromConfiguration(config().asMap()).list()).hasSize(2);

        environment.revert(Environment.BASELINE);
        handle.resetMachines();
        handle.close();
        handle.close(); // idempotent

        assertThat(provider.calls).containsExactly("open",
                "network.create lan 198.19.200.0/24", "network.create wan 198.19.201.0/24",
                "machine.create web", "machine.start web", "machine.create db", "machine.start db",
                "machine.create cache", "machine.start cache",
                "snapshot web baseline", "snapshot db baseline", "snapshot cache baseline",
                "revert web baseline", "revert db baseline", "revert cache baseline",
                "jobs.kill web", "settings.restore web", "jobs.kill db", "settings.restore db",
                "jobs.kill cache", "settings.restore cache",
                "machine.stop cache", "machine.destroy cache", "machine.stop db", "machine.destroy db",
                "machine.stop web", "machine.destroy web",
                "network.destroy wan", "network.destroy lan", "close");
        assertThat(LeaseStore.fromConfiguration(config().asMap()).list()).isEmpty();
        assertThat(progress).extracting(JournalEvent::type).contains("lease.acquire", "machine.ready",
                "environment.teardown");
        assertThat(Files.exists(environment.prefixDir().resolve("disks"))).isFalse();
        assertThat(environment.prefixDir().resolve("journal.jsonl")).exists();
    }

    @Test
    void failureRollsBackEverythingCreatedAndKeepsTheLogs() throws Exception {
        RecordingProvider provider = new RecordingProvider(Set.of("db"));
        Engine engine = Engine.withProviders(config(), List.of(provider));

        assertThatThrownBy(() -> engine.provision(cluster(), event -> { }))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageStartingWith("Provisioning failed: machine 'db' during machine.ready: SSH never answered on"
                        + " 198.19.200.11")
                .hasMessageContaining("Console tail of machine 'db':" + System.lineSeparator() + "  [    0.000] Linux"
                        + " version 6.1" + System.lineSeparator() + "  Kernel panic - not syncing: db")
                .hasMessageContaining("Everything created was rolled back; logs and journal are kept in ");

        assertThat(provider.calls).containsSubsequence(
                "machine.stop cache", "machine.destroy cache", "machine.stop db", "machine.destroy db",
                "machine.stop web", "machine.destroy web", "network.destroy wan", "network.destroy lan", "close");
        assertThat(provider.calls).doesNotContain("snapshot web baseline");
        assertThat(LeaseStore.fromConfiguration(config().asMap()).list()).isEmpty();
        Path prefix;
        try (Stream<Path> prefixes = Files.list(temp.resolve("prefixes"))) {
            prefix = prefixes.findFirst().orElseThrow();
        }
        assertThat(Journal.read(prefix.resolve("journal.jsonl"))).extracting(JournalEvent::type)
                .contains("environment.rollback");
        assertThat(Files.readString(prefix.resolve("resources.json"))).contains("DESTROYED").doesNotContain("RUNNING");
    }

    @Test
    void invalidSpecIsRejectedBeforeAnythingIsCreated() {
        RecordingProvider provider = new RecordingProvider(Set.of());
        Engine engine = Engine.withProviders(config(), List.of(provider));
        EnvironmentSpec spec = new EnvironmentSpec("bad",
                List.of(new NetworkSpec("lan", NetworkMode.ISOLATED, Optional.of("10.0.0.0/24"), true, 0)),
                List.of(new MachineSpec("web", "recording", "missing", 1, 256, List.of("lan"), List.of(), Set.of(),
                        Map.of()), new MachineSpec("db", "vmware", "x", 1, 256, List.of(), List.of(), Set.of(),
                        Map.of())));

        assertThatThrownBy(() -> engine.provision(spec, event -> { }))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("network 'lan' subnet:")
                .hasMessageContaining("machine 'web' image: template 'missing' does not exist")
                .hasMessageContaining("machine 'db' provider: names provider 'vmware' which is not on the class path;"
                        + " installed providers: [recording] (add the testbed-vmware dependency)");
        assertThat(provider.calls).isEmpty();
        assertThat(temp.resolve("prefixes")).doesNotExist();
    }
}
