package io.testbed.junit.internal;

import static io.testbed.core.prefix.Prefix.KEPT_MARKER;
import static io.testbed.junit.internal.Outcomes.assertAllSucceeded;
import static io.testbed.junit.internal.Outcomes.assertNothingLeaked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.junit.Host;
import io.testbed.junit.Keep;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.reporting.FileEntry;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** What happens when a test fails: artifacts attached before the revert, and environments kept on request. */
class FailureHandlingTest {

    @TempDir
    Path temp;

    Testkit kit;

    @BeforeEach
    void setUp() {
        kit = new Testkit(temp);
    }

    // --- failure artifacts

    @VM(
            name = "web",
            collect = {"/var/log/app.log", "/var/log/missing.log"})
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class CollectsOnFailure {
        @Test
        @Order(1)
        void fails(Machine web) {
            web.run("mkdir -p var/log && echo 'app crashed' > var/log/app.log", RunOptions.expectSuccess());
            fail("deliberately");
        }

        @Test
        @Order(2)
        void passes(Machine web) {
            // the failed test's file is gone: the artifacts were taken before the revert
            assertThat(web.run("test -e var/log/app.log").exitCode()).isNotZero();
        }
    }

    @Test
    void aFailedTestGetsLogsAndCollectedFilesAttached() throws Exception {
        EngineExecutionResults results = kit.run(CollectsOnFailure.class);
        results.testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
        List<Event> files = results.testEvents()
                .filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED)
                .toList();
        assertThat(files).allMatch(e -> e.getTestDescriptor().getDisplayName().equals("fails(Machine)"));
        Map<String, Path> published = new java.util.TreeMap<>();
        for (Event event : files) {
            Path path = event.getRequiredPayload(FileEntry.class).getPath();
            published.put(path.getFileName().toString(), path);
        }
        assertThat(published)
                .containsOnlyKeys(
                        "web-var-log-app.log", "web-var-log-missing.log.error.txt", "web.log", "commands.log");
        assertThat(published.get("web-var-log-app.log")).hasContent("app crashed");
        assertThat(published.get("web-var-log-missing.log.error.txt"))
                .content()
                .startsWith("Cannot collect /var/log/missing.log from machine web: ");
        assertThat(published.get("commands.log"))
                .content()
                .containsPattern(
                        "web run exit=0 \\d+ms cmd=mkdir -p var/log && echo 'app crashed' > var/log/app.log\n");
        assertThat(published.get("web.log")).content().contains("[web] ready");
        // also kept in the prefix, and the prefix is named in the report
        String prefix = LocalRecorder.prefixes("collects-on-failure").get(0);
        try (var walk = Files.walk(kit.prefix(prefix).resolve("artifacts"))) {
            assertThat(walk.map(p -> p.getFileName().toString())).contains("var-log-app.log");
        }
        assertThat(results.testEvents()
                        .filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
                        .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs()))
                .containsExactly(Map.of("testbed.prefix", kit.prefix(prefix).toString()));
        assertNothingLeaked();
    }

    // --- provisioning failure

    @VM(name = "b", properties = "local.fail=ready")
    static class ProvisioningFails {
        @Test
        void neverRuns() {
            fail("must not run");
        }
    }

    @Test
    void aClassWhoseEnvironmentFailedToProvisionGetsThePrefixsLogsAndJournalAttached() {
        EngineExecutionResults results = kit.run(ProvisioningFails.class);

        results.testEvents().assertStatistics(stats -> stats.started(0));
        Map<String, Path> published = filesOfTheClass(results, ProvisioningFails.class);
        assertThat(published).containsOnlyKeys("b.log", "commands.log", "journal.jsonl");
        assertThat(published.get("journal.jsonl")).content().contains("\"type\":\"environment.failed\"");
        String prefix = LocalRecorder.prefixes("provisioning-fails").get(0);
        assertThat(results.containerEvents()
                        .filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
                        .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs()))
                .containsExactly(Map.of("testbed.prefix", kit.prefix(prefix).toString()));
        assertNothingLeaked();
    }

    // --- @BeforeAll / @AfterAll failure

    @VM(name = "web")
    static class AfterAllFails {
        @BeforeAll
        static void prepare(@Host("web") Machine web) {
            web.run("echo prepared-in-before-all", RunOptions.expectSuccess());
        }

        @Test
        void passes(Machine web) {
            web.run("echo in-the-test", RunOptions.expectSuccess());
        }

        @AfterAll
        static void check(@Host("web") Machine web) {
            web.run("echo checked-in-after-all");
            fail("deliberately, in @AfterAll");
        }
    }

    @Test
    void aClassWhoseAfterAllFailedGetsWhatRanOutsideItsTestsAndTheConsolesAttached() {
        EngineExecutionResults results = kit.run(AfterAllFails.class);

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        results.containerEvents().assertStatistics(stats -> stats.failed(1));
        assertThat(results.testEvents()
                        .filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED)
                        .count())
                .as("files on the passed test")
                .isZero();
        Map<String, Path> published = filesOfTheClass(results, AfterAllFails.class);
        assertThat(published).containsOnlyKeys("web.log", "commands.log");
        assertThat(published.get("commands.log"))
                .content()
                .contains("cmd=echo prepared-in-before-all")
                .contains("cmd=echo checked-in-after-all")
                .doesNotContain("in-the-test");
        assertThat(published.get("web.log")).content().contains("[web] ready");
        assertNothingLeaked();
    }

    /** The files published on containers, by name, after checking they all went to {@code testClass}. */
    private static Map<String, Path> filesOfTheClass(EngineExecutionResults results, Class<?> testClass) {
        List<Event> files = results.containerEvents()
                .filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED)
                .toList();
        assertThat(files)
                .allMatch(e ->
                        e.getTestDescriptor().getUniqueId().toString().endsWith("[class:" + testClass.getName() + "]"));
        Map<String, Path> published = new java.util.TreeMap<>();
        for (Event event : files) {
            Path path = event.getRequiredPayload(FileEntry.class).getPath();
            published.put(path.getFileName().toString(), path);
        }
        return published;
    }

    @VM(name = "web", collect = "/root/notes")
    static class CollectsADirectory {
        @Test
        void fails(Machine web) {
            web.run(
                    "mkdir -p /root/notes/sub && echo one > /root/notes/a.txt && echo two > /root/notes/sub/b.txt",
                    RunOptions.expectSuccess());
            fail("deliberately");
        }
    }

    @Test
    void aCollectedDirectoryIsAttachedWithTheFilesBelowIt() throws Exception {
        EngineExecutionResults results = kit.run(CollectsADirectory.class);
        results.testEvents().assertStatistics(stats -> stats.failed(1));
        List<Path> directories = results.testEvents()
                .filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED)
                .map(e -> e.getRequiredPayload(FileEntry.class).getPath())
                .filter(path -> path.getFileName().toString().equals("web-root-notes"))
                .toList();
        assertThat(directories).hasSize(1);
        assertThat(directories.get(0)).isDirectory();
        assertThat(directories.get(0).resolve("a.txt")).hasContent("one");
        assertThat(directories.get(0).resolve("sub/b.txt")).hasContent("two");
        assertNothingLeaked();
    }

    // --- keep on failure

    @Prefix(keep = Keep.ON_FAILURE)
    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class KeptOnFailure {
        static Environment kept;

        @Test
        void fails(Environment env) {
            kept = env;
            fail("deliberately");
        }
    }

    @Test
    void keepOnFailureLeavesTheEnvironmentRunningMarkedAndReachable() {
        var run = Outcomes.capturingOutput(() -> kit.run(KeptOnFailure.class));
        run.value().testEvents().assertStatistics(stats -> stats.failed(1));
        String prefixName = LocalRecorder.prefixes("kept-on-failure").get(0);
        Path prefix = kit.prefix(prefixName);
        try {
            assertThat(LocalRecorder.events("kept-on-failure")).noneMatch(e -> e.endsWith("destroy"));
            assertThat(LocalRecorder.live()).contains(prefixName + " machine web", prefixName + " network lan");
            assertThat(prefix.resolve(KEPT_MARKER))
                    .content()
                    .startsWith("Kept by " + KeptOnFailure.class.getName() + " (a test failed and keep = ON_FAILURE)");
            String address = KeptOnFailure.kept.machine("web").address("lan").getHostAddress();
            assertThat(run.lines())
                    .contains(
                            "[testbed] kept-on-failure: kept running (a test failed and keep = ON_FAILURE); prefix "
                                    + prefix,
                            "[testbed] kept-on-failure:   web: ssh -i " + prefix.resolve("keys/id_ed25519")
                                    + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@" + address
                                    + "   (network lan)",
                            "[testbed] kept-on-failure: delete " + prefix.resolve(KEPT_MARKER)
                                    + " to let the reaper destroy it");
            assertThat(run.value()
                            .containerEvents()
                            .filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
                            .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs()))
                    .contains(Map.of("testbed.kept", prefix.toString()));
            // the journal of a kept environment ends with why it was kept
            JournalReader.Contents journal = JournalReader.read(prefix.resolve("journal.jsonl"));
            assertThat(journal.complete()).isTrue();
            assertThat(journal.of(EnvironmentEvent.Kept.class))
                    .singleElement()
                    .satisfies(kept -> assertThat(kept.reason()).isEqualTo("a test failed and keep = ON_FAILURE"));
            assertThat(journal.of(EnvironmentEvent.Closed.class)).isEmpty();
        } finally {
            Outcomes.tearDownKept(KeptOnFailure.kept);
        }
        assertThat(LocalRecorder.events("kept-on-failure")).contains("machine web destroy", "network lan destroy");
        assertNothingLeaked();
    }

    @Prefix(keep = Keep.ON_FAILURE)
    @VM(name = "web")
    static class PassesWithKeepOnFailure {
        @Test
        void passes() {}
    }

    @Test
    void keepOnFailureTearsDownWhenEverythingPassed() {
        assertAllSucceeded(kit.run(PassesWithKeepOnFailure.class), 1);
        String prefix = LocalRecorder.prefixes("passes-with-keep-on-failure").get(0);
        assertThat(kit.prefix(prefix).resolve(KEPT_MARKER)).doesNotExist();
        assertNothingLeaked();
    }

    @VM(name = "web")
    static class FailsWithDefaultKeep {
        static Environment kept;

        @Test
        void fails(Environment env) {
            kept = env;
            fail("deliberately");
        }
    }

    @Test
    void theKeepConfigurationParameterAppliesWhenTheAnnotationSaysDefault() {
        kit.with("testbed.keep", "on-failure");
        kit.run(FailsWithDefaultKeep.class);
        String prefix = LocalRecorder.prefixes("fails-with-default-keep").get(0);
        try {
            assertThat(kit.prefix(prefix).resolve(KEPT_MARKER)).exists();
            assertThat(LocalRecorder.live()).contains(prefix + " machine web");
        } finally {
            Outcomes.tearDownKept(FailsWithDefaultKeep.kept);
        }
        assertNothingLeaked();
    }

    @Test
    void withoutKeepAFailingClassIsTornDown() {
        kit.run(FailsWithDefaultKeep.class);
        String prefix = LocalRecorder.prefixes("fails-with-default-keep").get(0);
        assertThat(kit.prefix(prefix).resolve(KEPT_MARKER)).doesNotExist();
        assertThat(LocalRecorder.events("fails-with-default-keep")).containsOnlyOnce("machine web destroy");
        assertNothingLeaked();
    }

    // --- a revert between tests that fails

    @VM(name = "web", properties = "local.fail=revert")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class RevertFails {
        @Test
        @Order(1)
        void changesTheMachine() {}

        @Test
        @Order(2)
        void wouldSeeTheChanges() {
            fail("must not run on what the first test left");
        }
    }

    @Test
    void whenTheRevertAfterATestFailsTheNextTestFailsInsteadOfSeeingWhatItLeft() {
        EngineExecutionResults results = kit.run(RevertFails.class);

        results.testEvents().assertStatistics(stats -> stats.started(2).failed(2));
        List<Throwable> failures = results.testEvents().failed().stream()
                .map(e -> e.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class)
                        .getThrowable()
                        .orElseThrow())
                .toList();
        assertThat(failures.get(0)).hasMessageContaining("injected failure: machine web fails during revert");
        assertThat(failures.get(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Testbed environment 'revert-fails' is not at its baseline: the revert to"
                        + " baseline after the previous test failed (")
                .hasMessageContaining("so this test would see what the earlier test left and does not run");
        assertNothingLeaked();
    }
}
