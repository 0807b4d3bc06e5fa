package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
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
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The janitor's choices on real prefixes and a real registry in a temporary directory, without providers (their
 * reaping is the reaper's, tested with it; the ITs run the janitor against libvirt and Docker).
 */
class JanitorTest {

    @TempDir
    Path temp;

    private TestbedConfig config;
    private Owners owners;

    @BeforeEach
    void setUp() {
        config = TestbedConfig.of(
                Map.of(TestbedConfig.LEASE_DIR, temp.resolve("leases").toString()));
        owners = Owners.besideLeases(config.leaseDir());
    }

    private Owner environment(String under, String name, long pid) throws Exception {
        Prefix prefix = Prefix.create(temp.resolve(under), name);
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

    private Janitor.Outcome run(boolean kept, Duration olderThan, Path under, boolean dryRun) {
        return Janitor.run(config, new Janitor.Options(kept, olderThan, under, dryRun), List.of());
    }

    @Test
    void removesDeadOwnersLeavesLiveAndKeptOnesAndSaysWhy() throws Exception {
        Owner dead = environment("a", "crashed", deadPid());
        Owner live = environment("a", "running", ProcessHandle.current().pid());
        Owner kept = environment("a", "kept", deadPid());
        Files.writeString(Path.of(kept.prefixPath(), Prefix.KEPT_MARKER), "kept");

        Janitor.Outcome outcome = run(false, null, null, false);

        assertThat(outcome.clean()).isTrue();
        assertThat(outcome.environments()).singleElement().asString().startsWith("crashed (id " + dead.shortId());
        assertThat(outcome.skipped())
                .anyMatch(line -> line.startsWith("running (id " + live.shortId())
                        && line.endsWith(
                                "in use by pid " + ProcessHandle.current().pid()))
                .anyMatch(line -> line.startsWith("kept (id " + kept.shortId()) && line.contains("--kept"));
        assertThat(owners.list()).containsExactlyInAnyOrder(live, kept);
        assertThat(Path.of(dead.prefixPath(), "disks")).isEmptyDirectory();
    }

    @Test
    void keptEnvironmentsGoWithKeptOnceTheirJvmIsGone() throws Exception {
        Owner kept = environment("a", "kept", deadPid());
        Owner keptAlive =
                environment("a", "kept-in-ide", ProcessHandle.current().pid());
        Files.writeString(Path.of(kept.prefixPath(), Prefix.KEPT_MARKER), "kept");
        Files.writeString(Path.of(keptAlive.prefixPath(), Prefix.KEPT_MARKER), "kept");

        Janitor.Outcome outcome = run(true, null, null, false);

        assertThat(outcome.clean()).isTrue();
        assertThat(owners.list()).containsExactly(keptAlive);
        assertThat(Path.of(kept.prefixPath(), Prefix.KEPT_MARKER)).doesNotExist();
        assertThat(outcome.skipped())
                .singleElement()
                .asString()
                .endsWith("kept, and its JVM (pid " + ProcessHandle.current().pid() + ") still runs");
    }

    @Test
    void olderThanAndUnderNarrowTheChoice() throws Exception {
        Owner elsewhere = environment("b", "elsewhere", deadPid());
        Owner young = environment("a", "young", deadPid());

        assertThat(run(false, Duration.ofHours(1), null, false).environments()).isEmpty();
        assertThat(owners.list()).containsExactlyInAnyOrder(elsewhere, young);

        Janitor.Outcome underA = run(false, null, temp.resolve("a"), false);

        assertThat(underA.environments()).singleElement().asString().startsWith("young");
        assertThat(owners.list()).containsExactly(elsewhere);
    }

    @Test
    void aDryRunTellsWhatEachEnvironmentHoldsAndRemovesNothing() throws Exception {
        Owner dead = environment("a", "crashed", deadPid());

        Janitor.Outcome outcome = run(false, null, null, true);

        assertThat(outcome.dryRun()).isTrue();
        assertThat(outcome.removed())
                .containsExactly("would remove crashed (id " + dead.shortId() + "): owner entry " + dead.shortId()
                        + ", disks in " + dead.prefixPath() + "/disks");
        assertThat(owners.list()).containsExactly(dead);
        assertThat(Path.of(dead.prefixPath(), "disks", "box.qcow2")).exists();
        assertThat(JanitorCommand.lines(outcome))
                .first()
                .asString()
                .startsWith("would clean crashed (id " + dead.shortId());
    }

    /** A Docker provider double at an endpoint; when its daemon does not answer, every reap fails, naming it. */
    private static final class Docker implements Provider {
        private final boolean answers;
        private final String endpoint;

        Docker(boolean answers, String endpoint) {
            this.answers = answers;
            this.endpoint = endpoint;
        }

        @Override
        public String endpoint(Map<String, String> configuration) {
            return endpoint;
        }

        @Override
        public String name() {
            return "docker";
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
        public ProviderSession open(ProviderContext context) {
            throw new AssertionError("nothing is provisioned here");
        }

        @Override
        public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
            if (answers) {
                return List.of();
            }
            throw new IllegalStateException("the Docker daemon at " + endpoint + " does not answer");
        }
    }

    @Test
    void aProviderWhoseDaemonIsDownLeavesTheEnvironmentRegisteredAndTheOutcomeNotClean() throws Exception {
        Owner dead = environment("a", "crashed", deadPid());

        Janitor.Outcome outcome = Janitor.run(
                config,
                new Janitor.Options(false, null, null, false),
                List.of(new Docker(false, "unix:///run/x.sock")));

        assertThat(outcome.clean()).isFalse();
        assertThat(outcome.removed()).noneMatch(line -> line.contains("reaping failed"));
        assertThat(outcome.leftovers())
                .contains("provider docker: reaping failed: the Docker daemon at unix:///run/x.sock does not answer")
                .anyMatch(line -> line.startsWith("crashed (id " + dead.shortId()) && line.contains("owner registry"));
        assertThat(owners.list()).containsExactly(dead);
        assertThat(JanitorCommand.lines(outcome))
                .contains("LEFT OVER provider docker: reaping failed: the Docker daemon at unix:///run/x.sock does not"
                        + " answer");
    }

    @Test
    void anEnvironmentInAnotherDockerDaemonIsLeftOverUntilAJanitorTalksToThatDaemon() throws Exception {
        Owner dead = environment("a", "private", deadPid());
        Prefix.open(Path.of(dead.prefixPath()))
                .writeResources(List.of(new PrefixResource(
                        PrefixResource.MACHINE,
                        "box",
                        "docker",
                        "3f2a",
                        null,
                        "RUNNING",
                        Map.of(),
                        "unix:///tmp/x.sock")));
        Janitor.Options options = new Janitor.Options(false, null, null, false);

        Janitor.Outcome hostDaemon = Janitor.run(config, options, List.of(new Docker(true, "unix:///run/docker.sock")));

        assertThat(hostDaemon.clean()).isFalse();
        assertThat(hostDaemon.leftovers())
                .anyMatch(line -> line.startsWith("owner " + dead.shortId())
                        && line.endsWith("kept: docker at unix:///tmp/x.sock: not this reaper's daemon"
                                + " (unix:///run/docker.sock)"));
        assertThat(owners.list()).containsExactly(dead);

        Janitor.Outcome privateDaemon = Janitor.run(config, options, List.of(new Docker(true, "unix:///tmp/x.sock")));

        assertThat(privateDaemon.clean()).isTrue();
        assertThat(owners.list()).isEmpty();
    }
}
