package io.testbed.reports.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.TestEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of command event in a test's table, and what ran outside tests under its class. */
class CommandRowsTest {

    @TempDir
    Path root;

    @Test
    void jobsCopiesPortWaitsAndSettingsAreRowsOfTheirTestAndClassCommandsBelongToTheClass() {
        JournalFixture fixture = new JournalFixture(root, "rows").provision();
        String classId = fixture.classId;
        fixture.run("web", "echo from-before-all", 0, "ready", "");
        fixture.startTest("everything");
        String test = fixture.testId("everything");
        fixture.after(10)
                .record((t, e) -> new CommandEvent.JobStarted(
                        t, e, test, "web", 1, "httpd -f -p 8080", null, List.of("TOKEN"), Duration.ofMillis(9), null));
        fixture.after(10)
                .record((t, e) -> new CommandEvent.PortWaited(
                        t, e, test, "web", "198.18.7.10", 8080, true, Duration.ofMillis(120)));
        fixture.after(10)
                .record((t, e) -> new CommandEvent.FileCopied(
                        t,
                        e,
                        test,
                        "web",
                        CommandEvent.Direction.UPLOAD,
                        "/tmp/local.txt",
                        "/root/remote.txt",
                        Duration.ofMillis(30),
                        null));
        fixture.after(10)
                .record((t, e) ->
                        new CommandEvent.SettingChanged(t, e, test, "box", "sysctl net.ipv4.ip_forward", "1", "0"));
        fixture.after(10)
                .record((t, e) -> new CommandEvent.SettingRestored(
                        t, e, test, "box", "sysctl net.ipv4.ip_forward", "0", "permission denied"));
        fixture.after(500)
                .record((t, e) -> new CommandEvent.JobFinished(
                        t,
                        e,
                        test,
                        "web",
                        1,
                        "httpd -f -p 8080",
                        CommandEvent.Outcome.EXITED,
                        137,
                        null,
                        true,
                        Duration.ofMillis(560),
                        "",
                        "killed"));
        fixture.finishTest("everything", TestEvent.Result.PASSED, null);
        fixture.tearDown(false).close();

        EnvironmentModel environment = EnvironmentReader.read(fixture.prefix);
        RunModel run = RunModelBuilder.build(List.of(environment));
        String html = Rendered.everything(run);

        ClassModel testClass = run.classes().get(0);
        assertThat(testClass.self().uniqueId()).isEqualTo(classId);
        assertThat(testClass.self().commands()).hasSize(1);
        assertThat(testClass.tests().get(0).commands()).hasSize(6);
        assertThat(environment.spans())
                .anyMatch(s -> s.kind() == Span.Kind.JOB
                        && s.lane().equals("web")
                        && s.label().startsWith("job 1 killed")
                        && !s.failed());
        assertThat(html)
                .contains("outside tests (@BeforeAll, @AfterAll, provisioning)")
                .contains("from-before-all")
                .contains(">job 1 started<")
                .contains(">job 1 killed<")
                .contains(">port wait<")
                .contains("198.18.7.10:8080")
                .contains(">upload<")
                .contains("/tmp/local.txt → /root/remote.txt")
                .contains(">setting changed<")
                .contains("sysctl net.ipv4.ip_forward = 1")
                .contains(">was 0<")
                .contains(">setting restored<")
                .contains("<td class=\"result bad\">permission denied</td>");
    }
}
