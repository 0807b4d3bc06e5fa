package io.testbed.reports.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.TestEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunModelTest {

    @TempDir
    Path root;

    private JournalFixture twoTestsOneFailing(String name) {
        JournalFixture fixture = new JournalFixture(root, name).provision();
        fixture.startTest("passes")
                .run("web", "echo hi", 0, "hi\n", "")
                .run("box", "true", 0, "", "")
                .finishTest("passes", TestEvent.Result.PASSED, null);
        fixture.startTest("fails")
                .run("web", "ping -c1 db", 0, "ok", "")
                .run("box", "cat /missing", 1, "", "cat: can't open '/missing'")
                .run("web", "uptime", 0, "up", "")
                .finishTest("fails", TestEvent.Result.FAILED, "expected exit code 0 but was 1");
        fixture.console("web", "line 1\nbooted\nlogin:\n");
        fixture.tearDown(true).close();
        return fixture;
    }

    @Test
    void aJournalGivesTopologyMachinesAndBootFacts() {
        JournalFixture fixture = twoTestsOneFailing("cluster");

        EnvironmentModel environment = EnvironmentReader.read(fixture.prefix);

        assertThat(environment.name()).isEqualTo("cluster");
        assertThat(environment.complete()).isTrue();
        assertThat(environment.outcome()).isEqualTo("torn down");
        assertThat(environment.ready()).isEqualTo(Duration.ofMillis(7475));
        assertThat(environment.networks()).containsExactly(new NetworkModel("lan", "ISOLATED", "198.18.7.0/24"));
        assertThat(environment.machines()).extracting(MachineModel::name).containsExactly("web", "box");
        MachineModel web = environment.machines().get(0);
        MachineModel box = environment.machines().get(1);
        assertThat(web.kind()).isEqualTo("VM");
        assertThat(web.accelerator()).isEqualTo("TCG");
        assertThat(web.addresses()).containsEntry("lan", "198.18.7.10");
        assertThat(web.roles()).containsExactly("frontend");
        assertThat(web.boot()).isEqualTo(Duration.ofMillis(7000));
        assertThat(web.reverts()).containsExactly(Duration.ofMillis(450), Duration.ofMillis(450));
        assertThat(web.consoleLog()).isNotNull();
        assertThat(web.commands()).isEqualTo(3);
        assertThat(box.isContainer()).isTrue();
        assertThat(box.accelerator()).isNull();
        assertThat(box.consoleLog()).isNull();
        assertThat(environment.commands()).isEqualTo(5);
    }

    @Test
    void theTimelineHasALaneOfStepsPerMachine() {
        EnvironmentModel environment = EnvironmentReader.read(twoTestsOneFailing("lanes").prefix);

        assertThat(environment.spans()).extracting(Span::lane).contains(Span.ENVIRONMENT, "web", "box", Span.TESTS);
        assertThat(environment.spans())
                .filteredOn(s -> s.lane().equals("web"))
                .extracting(Span::kind)
                .contains(
                        Span.Kind.PROVIDER,
                        Span.Kind.CREATE,
                        Span.Kind.READY,
                        Span.Kind.SNAPSHOT,
                        Span.Kind.REVERT,
                        Span.Kind.TEARDOWN);
        Span boot = environment.spans().stream()
                .filter(s -> s.kind() == Span.Kind.READY && s.lane().equals("web"))
                .findFirst()
                .orElseThrow();
        assertThat(Duration.between(boot.start(), boot.end())).isEqualTo(Duration.ofMillis(6000));
        assertThat(environment.spans())
                .filteredOn(s -> s.kind() == Span.Kind.TEST)
                .extracting(Span::failed)
                .containsExactly(false, true);
    }

    @Test
    void aFailedTestComesFirstWithItsCommandsRevertsAndFailingCommand() {
        JournalFixture fixture = twoTestsOneFailing("first");

        RunModel run = RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix)));

        assertThat(run.failed()).isTrue();
        assertThat(run.classes()).hasSize(1);
        List<TestModel> tests = run.classes().get(0).tests();
        assertThat(tests).extracting(TestModel::method).containsExactly("fails", "passes");
        TestModel failed = tests.get(0);
        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.failure()).isEqualTo("expected exit code 0 but was 1");
        assertThat(failed.commands()).hasSize(3);
        assertThat(failed.reverts()).containsExactly(Duration.ofMillis(450), Duration.ofMillis(500));
        assertThat(((CommandEvent.CommandRun) failed.failingCommand()).command())
                .isEqualTo("cat /missing");
        assertThat(tests.get(1).failingCommand()).isNotNull();
        assertThat(run.failures()).extracting(TestModel::method).contains("fails");
    }

    @Test
    void aJournalCutShortByAKilledJvmGivesWhatItHoldsAndSaysItIsIncomplete() {
        JournalFixture fixture = new JournalFixture(root, "killed").provision();
        fixture.startTest("running").run("web", "sleep 1", 0, "", "");
        fixture.cutShort();

        EnvironmentModel environment = EnvironmentReader.read(fixture.prefix);
        RunModel run = RunModelBuilder.build(List.of(environment));

        assertThat(environment.complete()).isFalse();
        assertThat(environment.truncated()).isTrue();
        assertThat(environment.unreadable()).isEqualTo(1);
        assertThat(environment.outcome()).isNull();
        assertThat(environment.machines()).hasSize(2);
        assertThat(run.failed()).isTrue();
        TestModel running = run.tests().get(0);
        assertThat(running.status()).isEqualTo(Status.UNFINISHED);
        assertThat(running.commands()).hasSize(1);
        String html = Rendered.index(run);
        assertThat(html)
                .contains("Incomplete journal")
                .contains("its last line is cut short")
                .contains("unfinished");
    }

    @Test
    void aFailedProvisioningIsAFailureOfItsEnvironmentAndOfTheClassJUnitReports() {
        JournalFixture fixture = new JournalFixture(root, "broken");
        fixture.at(0)
                .record((t, e) -> new EnvironmentEvent.ProvisioningStarted(
                        t, e, fixture.prefix.toString(), List.of("web"), List.of("lan")));
        fixture.after(3000)
                .record((t, e) -> new EnvironmentEvent.StepFailed(
                        t,
                        e,
                        "machine 'web'",
                        "machine.ready",
                        Duration.ofMillis(3000),
                        "no answer",
                        "java.lang.IllegalStateException"));
        fixture.record((t, e) -> new EnvironmentEvent.ProvisioningFailed(t, e, Duration.ofMillis(3000), "no answer"));
        fixture.after(100)
                .record((t, e) -> new EnvironmentEvent.Closed(
                        t, e, EnvironmentEvent.Outcome.ROLLED_BACK, Duration.ofMillis(100), 0));
        fixture.close();
        EnvironmentModel environment = EnvironmentReader.read(fixture.prefix);
        JUnitOutcome classFailure = new JUnitOutcome(
                fixture.classId,
                "io.example.BrokenIT",
                null,
                "BrokenIT",
                true,
                Status.FAILED,
                Duration.ofSeconds(3),
                "Provisioning failed: machine 'web'",
                null,
                fixture.prefix,
                List.of());
        JUnitOutcome plainTest = new JUnitOutcome(
                "[engine:junit-jupiter]/[class:io.example.PlainTest]/[method:a()]",
                "io.example.PlainTest",
                "a",
                "a()",
                false,
                Status.PASSED,
                Duration.ofMillis(3),
                null,
                null,
                null,
                List.of());

        RunModel run = RunModelBuilder.build(List.of(environment), List.of(plainTest, classFailure));

        assertThat(environment.failed()).isTrue();
        assertThat(environment.outcome()).isEqualTo("rolled back");
        assertThat(environment.failures()).anyMatch(f -> f.contains("machine 'web' machine.ready failed"));
        assertThat(environment.spans()).anyMatch(s -> s.lane().equals("web") && s.kind() == Span.Kind.FAILURE);
        assertThat(run.classes())
                .extracting(c -> c.self().className())
                .containsExactly("io.example.BrokenIT", "io.example.PlainTest");
        assertThat(run.classes().get(0).self().environment()).isEqualTo(environment.id());
        assertThat(run.classes().get(1).tests()).extracting(TestModel::status).containsExactly(Status.PASSED);
    }

    @Test
    void jUnitsResultWinsOverTheJournalsAndItsFilesAreAttached() {
        JournalFixture fixture = twoTestsOneFailing("merge");
        PublishedFile file = new PublishedFile("commands.log", root.resolve("commands.log"));
        JUnitOutcome outcome = new JUnitOutcome(
                fixture.testId("fails"),
                "io.example.X",
                "fails",
                "fails()",
                false,
                Status.FAILED,
                Duration.ofMillis(999),
                "AssertionError: boom",
                null,
                null,
                List.of(file));

        RunModel run = RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix)), List.of(outcome));

        TestModel test = run.tests().get(0);
        assertThat(test.duration()).isEqualTo(Duration.ofMillis(999));
        assertThat(test.failure()).isEqualTo("AssertionError: boom");
        assertThat(test.files()).containsExactly(file);
        assertThat(test.commands()).hasSize(3);
        assertThat(test.className()).isEqualTo("io.example." + fixture.className());
    }
}
