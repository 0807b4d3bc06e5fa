package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.Reaper;
import io.testbed.core.prefix.Prefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An environment kept with {@code Keep.ALWAYS} outlives its JVM: the reaper (as every later provisioning and the
 * CLI's {@code janitor} run it) leaves it alone while its {@value Prefix#KEPT_MARKER} marker is there, and destroys
 * it, leases included, once the marker is deleted.
 */
class KeptEnvironmentIT {

    @Test
    void aKeptEnvironmentSurvivesTheReaperUntilItsMarkerIsRemoved() throws Exception {
        Path run = Files.createDirectories(
                Path.of("target/chaos/kept-" + ProcessHandle.current().pid()).toAbsolutePath());
        ForkedTestClass jvm = ForkedTestClass.start(run, KeptVictim.class);
        assertThat(jvm.process().waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(jvm.exit()).as("the kept class passed: %s", jvm.logTail()).isEqualTo("0");
        TestbedConfig config = TestbedConfig.of(
                Map.of(TestbedConfig.PREFIX_ROOT, ForkedTestClass.root(run).toString()));
        Census census = new Census(ForkedTestClass.root(run), config, List.of());
        Prefix kept = census.prefixes().get(0);
        assertThat(kept.dir().resolve(Prefix.KEPT_MARKER)).exists();
        Map<String, Integer> keptCounts = census.count(Set.of("box"));
        assertThat(keptCounts).containsEntry("containers", 1).containsEntry("docker networks", 1);
        assertThat(keptCounts.get("leases")).isEqualTo(1);

        List<String> reaped =
                Reaper.reap(config, Engine.create(config).providers().values());

        assertThat(reaped).noneMatch(line -> line.contains(kept.dir().toString()));
        assertThat(census.count(Set.of("box"))).isEqualTo(keptCounts);

        Files.delete(kept.dir().resolve(Prefix.KEPT_MARKER));
        List<String> reapedAfter =
                Reaper.reap(config, Engine.create(config).providers().values());

        assertThat(reapedAfter).anyMatch(line -> line.contains(kept.dir().toString()));
        Map<String, Integer> after = census.count(Set.of("box"));
        assertThat(after.values().stream().mapToInt(Integer::intValue).sum())
                .as("left after the marker was removed: %s (reaper: %s)", after, reapedAfter)
                .isZero();
    }
}
