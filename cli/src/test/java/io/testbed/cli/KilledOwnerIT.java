package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A JVM that provisioned an environment (one container on a leased network) and was killed with SIGKILL: {@code ls}
 * shows the environment with a dead owner, {@code janitor} leaves it alone while it is kept, tells what it would
 * remove in a dry run, and then removes it completely — 0 containers, Docker networks and images labelled with it,
 * 0 leases, no owner entry, nothing in its disks directory.
 *
 * <p>The test writes the {@code KEPT} marker before the kill: on a shared host any other JVM that provisions runs the
 * reaper, which would remove a dead owner's environment before this test could look at it. Kept, it waits for the
 * janitor's {@code --kept}; {@code --under} keeps the janitor to this test's prefixes.
 */
class KilledOwnerIT {

    private static final Path ROOT = Path.of("target/testbed-killed-it").toAbsolutePath();

    @Test
    void lsShowsTheDeadOwnerAndJanitorRemovesEverythingItLeft() throws Exception {
        Prefix prefix = provisionInAJvmAndKillIt();
        String id = prefix.id();
        assertThat(Cli.dockerObjects(id)).as("left by the killed JVM").isNotEmpty();

        Cli.Run ls = Cli.run("ls", "--json");
        JsonNode mine = null;
        for (JsonNode environment : Json.mapper().readTree(ls.out())) {
            if (environment.path("id").asText().equals(id)) {
                mine = environment;
            }
        }
        assertThat(mine).as(ls.toString()).isNotNull();
        assertThat(mine.path("ownerAlive").asBoolean()).isFalse();
        assertThat(mine.path("kept").asBoolean()).isTrue();
        assertThat(Cli.run("ls").out()).containsPattern("killed +" + prefix.shortId() + " +pid \\d+ dead +yes");
        Cli.Run follow = Cli.run("logs", "-f", "--no-console", id.substring(0, 12));
        assertThat(follow.out())
                .as(follow.toString())
                .contains(" environment.ready ")
                .contains("==> the owner process ")
                .contains(" is gone; nothing more will be written");

        Cli.Run keptStays = Cli.run("janitor", "--under", ROOT.toString());
        assertThat(keptStays.status()).as(keptStays.toString()).isZero();
        assertThat(keptStays.out()).contains("left alone killed (id " + prefix.shortId());
        assertThat(Cli.dockerObjects(id)).isNotEmpty();

        Cli.Run dryRun = Cli.run("janitor", "--kept", "--dry-run", "--under", ROOT.toString());
        assertThat(dryRun.out())
                .as(dryRun.toString())
                .contains("would remove killed (id " + prefix.shortId() + "): machine box (docker ")
                .contains("lease 198.1");
        assertThat(Cli.dockerObjects(id)).isNotEmpty();
        assertThat(prefix.dir().resolve(Prefix.KEPT_MARKER)).exists();

        Cli.Run janitor = Cli.run("janitor", "--kept", "--under", ROOT.toString());

        assertThat(janitor.status()).as(janitor.toString()).isZero();
        assertThat(janitor.out())
                .contains("cleaning killed (id " + prefix.shortId())
                .contains("nothing left over");
        List<String> leftovers = new ArrayList<>(Cli.dockerObjects(id));
        TestbedConfig config = TestbedConfig.defaultConfig();
        LeaseStore.fromConfiguration(config.asMap()).list().stream()
                .filter(lease -> lease.prefixId().equals(id))
                .forEach(lease -> leftovers.add("lease " + lease.subnet()));
        Owners.besideLeases(config.leaseDir()).lookup(prefix.shortId()).ifPresent(o -> leftovers.add("owner " + o));
        try (Stream<Path> disks = Files.list(prefix.disksDir())) {
            disks.forEach(file -> leftovers.add("disk file " + file));
        }
        assertThat(leftovers).as("left over after the janitor").isEmpty();
        assertThat(prefix.journalFile()).as("the journal stays for reports").exists();
    }

    private static Prefix provisionInAJvmAndKillIt() throws Exception {
        Files.createDirectories(ROOT);
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                        ContainerEnvironmentProvisioner.class.getName(),
                        ROOT.toString(),
                        "killed")
                .redirectErrorStream(true)
                .start();
        Path prefixDir = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                output.append(line).append('\n');
                if (line.startsWith("PROVISIONED ")) {
                    prefixDir = Path.of(line.substring("PROVISIONED ".length()));
                    // kept before the kill, so that no other JVM's reaper takes it before this test looks
                    Files.writeString(prefixDir.resolve(Prefix.KEPT_MARKER), "kept by KilledOwnerIT");
                    break;
                }
            }
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(prefixDir)
                .as("the child JVM provisioned its environment:\n" + output)
                .isNotNull();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        return Prefix.open(prefixDir);
    }
}
