package io.testbed.junit.internal;

import static io.testbed.junit.internal.Outcomes.assertNothingLeaked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.TestEvent;
import io.testbed.junit.Host;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EventType;

/**
 * The environment's journal holds the test boundaries and every command, each with the test it belongs to: the
 * stream reports and failure artifacts read.
 */
class JournalTest {

    @TempDir
    Path temp;

    @VM(name = "web")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Journaled {
        @BeforeAll
        static void beforeAll(@Host("web") Machine web) {
            web.run("echo class setup", RunOptions.expectSuccess());
        }

        @BeforeEach
        void beforeEach(@Host("web") Machine web) {
            web.run("echo before each", RunOptions.expectSuccess());
        }

        @Test
        @Order(1)
        void passes(@Host("web") Machine web) {
            web.run("echo one", RunOptions.builder().env("TOKEN", "s3cr3t").build());
            web.setSysctl("net.ipv4.ip_forward", "1");
            Job job = web.start("sleep 0.1; echo job done");
            job.waitFor(Duration.ofSeconds(10));
        }

        @Test
        @Order(2)
        void fails(@Host("web") Machine web) {
            web.run("echo two; echo trouble >&2; exit 3");
            fail("deliberately");
        }

        @Test
        @Order(3)
        void aborts() {
            Assumptions.assumeTrue(false, "not on this machine");
        }

        @Test
        @Order(4)
        @Disabled("not today")
        void skipped() {}

        @AfterAll
        static void afterAll(@Host("web") Machine web) {
            web.run("echo class teardown", RunOptions.expectSuccess());
        }
    }

    @Test
    void testBoundariesAndEachTestsCommandsLandInTheEnvironmentsJournal() {
        Testkit kit = new Testkit(temp);
        EngineExecutionResults results = kit.run(Journaled.class);
        results.testEvents()
                .assertStatistics(stats ->
                        stats.started(3).succeeded(1).failed(1).aborted(1).skipped(1));
        Map<String, String> ids = results.allEvents()
                .filter(e -> e.getType() == EventType.STARTED || e.getType() == EventType.SKIPPED)
                .map(e -> e.getTestDescriptor())
                .collect(Collectors.toMap(
                        d -> d.getDisplayName(), d -> d.getUniqueId().toString(), (a, b) -> a));
        String classId = "[engine:junit-jupiter]/[class:" + Journaled.class.getName() + "]";
        String passes = ids.get("passes(Machine)");
        String fails = ids.get("fails(Machine)");

        Path prefix = kit.prefix(LocalRecorder.prefixes("journaled").get(0));
        JournalReader.Contents journal = JournalReader.read(prefix.resolve("journal.jsonl"));
        assertThat(journal.complete()).isTrue();
        assertThat(journal.truncated()).isFalse();

        assertThat(journal.of(TestEvent.class))
                .extracting(JournalTest::boundary)
                .containsExactly(
                        "class started " + classId,
                        "started passes " + passes,
                        "finished passes PASSED null",
                        "started fails " + fails,
                        "finished fails FAILED deliberately",
                        "started aborts " + ids.get("aborts()"),
                        "finished aborts ABORTED Assumption failed: not on this machine",
                        "finished skipped SKIPPED not today",
                        "class finished PASSED");
        // the test events come after provisioning and before the teardown
        List<Event> events = journal.events();
        assertThat(events.indexOf(journal.of(TestEvent.ClassStarted.class).get(0)))
                .isGreaterThan(
                        events.indexOf(journal.of(EnvironmentEvent.Ready.class).get(0)));
        assertThat(events.indexOf(journal.of(TestEvent.ClassFinished.class).get(0)))
                .isLessThan(events.indexOf(
                        journal.of(EnvironmentEvent.TeardownStarted.class).get(0)));

        List<CommandEvent.CommandRun> runs = journal.of(CommandEvent.CommandRun.class).stream()
                .filter(run -> run.purpose() == CommandEvent.Purpose.RUN)
                .toList();
        assertThat(runs)
                .extracting(run -> run.command() + " @ " + run.test())
                .containsExactly(
                        "echo class setup @ " + classId,
                        "echo before each @ " + passes,
                        "echo one @ " + passes,
                        "echo before each @ " + fails,
                        "echo two; echo trouble >&2; exit 3 @ " + fails,
                        "echo before each @ " + ids.get("aborts()"),
                        "echo class teardown @ " + classId);
        assertThat(runs).allSatisfy(run -> assertThat(run.machine()).isEqualTo("web"));
        CommandEvent.CommandRun failing = runs.get(4);
        assertThat(failing.exitCode()).isEqualTo(3);
        assertThat(failing.stdout()).isEqualTo("two\n");
        assertThat(failing.stderr()).isEqualTo("trouble\n");
        assertThat(runs.get(2).envNames()).containsExactly("TOKEN");

        // jobs and settings belong to the test too, also the restore that cleans up after it
        assertThat(journal.of(CommandEvent.JobStarted.class))
                .singleElement()
                .satisfies(job -> assertThat(job.test()).isEqualTo(passes));
        assertThat(journal.of(CommandEvent.JobFinished.class)).singleElement().satisfies(job -> {
            assertThat(job.test()).isEqualTo(passes);
            assertThat(job.exitCode()).isZero();
            assertThat(job.stdout()).isEqualTo("job done\n");
        });
        assertThat(journal.of(CommandEvent.SettingChanged.class))
                .extracting(CommandEvent::test)
                .containsExactly(passes);
        assertThat(journal.of(CommandEvent.SettingRestored.class))
                .extracting(CommandEvent::test)
                .containsExactly(passes);
        assertThat(journal.of(CommandEvent.class))
                .filteredOn(
                        c -> !(c instanceof CommandEvent.CommandRun run && run.purpose() == CommandEvent.Purpose.RUN))
                .extracting(CommandEvent::test)
                .doesNotContainNull();
        assertThat(prefix.resolve("journal.jsonl")).content().doesNotContain("s3cr3t");
        assertNothingLeaked();
    }

    @Test
    void theFailedTestsArtifactsHoldItsOwnCommandsWithTheirOutput() throws Exception {
        EngineExecutionResults results = new Testkit(temp).run(Journaled.class);
        Path commands = results.testEvents()
                .filter(e -> e.getType() == EventType.FILE_ENTRY_PUBLISHED)
                .map(e -> e.getRequiredPayload(org.junit.platform.engine.reporting.FileEntry.class))
                .filter(entry -> entry.getPath().getFileName().toString().equals("commands.log"))
                .map(org.junit.platform.engine.reporting.FileEntry::getPath)
                .findFirst()
                .orElseThrow();
        assertThat(commands)
                .content()
                .containsPattern("web run exit=0 \\d+ms cmd=echo before each\n  stdout:\n    before each\n")
                .containsPattern("web run exit=3 \\d+ms cmd=echo two; echo trouble >&2; exit 3\n"
                        + "  stdout:\n    two\n  stderr:\n    trouble\n")
                .doesNotContain("echo one", "class setup");
    }

    private static String boundary(TestEvent event) {
        if (event instanceof TestEvent.ClassStarted e) {
            return "class started " + e.uniqueId();
        } else if (event instanceof TestEvent.ClassFinished e) {
            return "class finished " + e.result();
        } else if (event instanceof TestEvent.TestStarted e) {
            return "started " + e.method() + " " + e.uniqueId();
        }
        TestEvent.TestFinished e = (TestEvent.TestFinished) event;
        return "finished " + e.method() + " " + e.result() + " " + e.failure();
    }
}
