package io.testbed.reports.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.journal.TestEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    private static final String ATTACK =
            "</pre></details><script>alert(1)</script><img src=x onerror=alert(2)>" + "\"'><svg onload=alert(3)>";

    @TempDir
    Path root;

    @Test
    void escapeTurnsMarkupAndQuotesIntoEntitiesAndControlCharactersIntoReplacements() {
        assertThat(Html.escape("<a href=\"x\" title='y'>&amp;</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
        assertThat(Html.escape("a\u0000b\u001bc\td\ne\u0085")).isEqualTo("a\uFFFDb\uFFFDc\td\ne\uFFFD");
        assertThat(Html.escape("x\uD800y \uD83D\uDE00")).isEqualTo("x\uFFFDy \uD83D\uDE00");
        assertThat(Html.escape(null)).isEmpty();
    }

    @Test
    void attributesAreEscapedAndMustComeInPairs() {
        StringBuilder out = new StringBuilder();
        new Html(out)
                .open("a", "href", "\" onclick=\"x", "title", null)
                .text(ATTACK)
                .close("a");
        assertThat(out.toString())
                .startsWith("<a href=\"&quot; onclick=&quot;x\">")
                .doesNotContain("<script");
        assertThatThrownBy(() -> new Html(new StringBuilder()).open("a", "href"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pairs");
    }

    @Test
    void commandOutputTestNamesAndMachineNamesCannotInjectMarkup() {
        JournalFixture fixture = new JournalFixture(root, "inject").provision();
        fixture.startTest("fails")
                .run("web", "echo '" + ATTACK + "'", 1, ATTACK, ATTACK)
                .finishTest("fails", TestEvent.Result.FAILED, ATTACK);
        fixture.console("web", ATTACK + "\n");
        fixture.tearDown(true).close();

        String html = Rendered.everything(RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix))));

        assertThat(html)
                .contains(">echo &#39;&lt;/pre&gt;")
                .doesNotContain("<script")
                .doesNotContain("<img")
                .doesNotContain("<svg onload")
                .doesNotContain("'><svg")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("&lt;img src=x onerror=alert(2)&gt;");
        assertThat(count(html, "<pre")).isEqualTo(count(html, "</pre>"));
        assertThat(count(html, "<details")).isEqualTo(count(html, "</details>"));
    }

    @Test
    void aFailedTestShowsItsFailingCommandWithOutputAndTheConsoleTailsAfterIt() {
        JournalFixture fixture = new JournalFixture(root, "console").provision();
        fixture.startTest("fails")
                .run("web", "ls /nope", 2, "", "ls: /nope: No such file")
                .run("box", "true", 0, "", "")
                .finishTest("fails", TestEvent.Result.FAILED, "expected exit code 0");
        StringBuilder console = new StringBuilder();
        for (int i = 1; i <= 100; i++) {
            console.append("console line ").append(i).append('\n');
        }
        fixture.console("web", console.toString()).tearDown(true).close();
        RunModel run = RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix)));

        String html = Rendered.page(run, "fails");

        int failing = html.indexOf("<tr class=\"command failing\" id=\"failing\">");
        int consoles = html.indexOf("<tr class=\"consoles\"");
        assertThat(failing).isPositive();
        assertThat(html.substring(failing, consoles))
                .contains("<details class=\"output\" open=\"\">")
                .contains("ls /nope")
                .contains("ls: /nope: No such file")
                .contains("exit 2");
        assertThat(consoles).isGreaterThan(failing);
        assertThat(html.substring(consoles))
                .contains("Console tail of web")
                .contains("console line 100")
                .contains("console line 61")
                .doesNotContain("console line 60\n");
        String index = Rendered.index(run);
        String page = Pages.of(run).of(run.tests().get(0));
        assertThat(index)
                .contains("class=\"verdict\" id=\"verdict\">FAILED<")
                .contains("<li><a href=\"" + page + "#failing\">Fixture")
                .doesNotContain("ls: /nope: No such file")
                .doesNotContain("console line 100");
    }

    @Test
    void theConsoleAttachedWhenTheTestFailedIsPreferredToTheConsoleAtTheEndOfTheRun() throws Exception {
        JournalFixture fixture = new JournalFixture(root, "attached").provision();
        fixture.startTest("fails").run("web", "false", 1, "", "").finishTest("fails", TestEvent.Result.FAILED, "x");
        fixture.console("web", "at the end of the run\n").tearDown(true).close();
        Path attached = java.nio.file.Files.writeString(root.resolve("web-console.log"), "when it failed\n");
        JUnitOutcome outcome = new JUnitOutcome(
                fixture.testId("fails"),
                null,
                "fails",
                "fails()",
                false,
                Status.FAILED,
                java.time.Duration.ZERO,
                "x",
                null,
                null,
                List.of(new PublishedFile("web-console.log", attached)));

        String html = Rendered.page(
                RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix)), List.of(outcome)), "fails");

        assertThat(html)
                .contains("Console tail of web (web-console.log attached when the test failed)")
                .contains(">when it failed</pre>")
                .doesNotContain(">at the end of the run</pre>");
    }

    @Test
    void largeOutputIsCappedWithAMarker() {
        JournalFixture fixture = new JournalFixture(root, "large").provision();
        fixture.startTest("big")
                .run("web", "yes | head", 0, "y\n".repeat(30_000), "")
                .finishTest("big", TestEvent.Result.PASSED, null);
        fixture.tearDown(false).close();

        String html = Rendered.page(RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix))), "big");

        assertThat(html).contains("more characters not shown; the journal keeps up to 65536");
        assertThat(html.length()).isLessThan(60_000);
    }

    @Test
    void thePageShowsEveryMachineWithItsAddressAndALanePerMachine() {
        JournalFixture fixture = new JournalFixture(root, "topology").provision();
        fixture.startTest("ok").run("web", "true", 0, "", "").finishTest("ok", TestEvent.Result.PASSED, null);
        fixture.tearDown(false).close();

        String html = Rendered.index(RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix))));

        assertThat(html)
                .contains("<g class=\"machine vm\" data-machine=\"web\">")
                .contains("<g class=\"machine container\" data-machine=\"box\">")
                .contains(">198.18.7.10</text>")
                .contains(">198.18.7.11</text>")
                .contains("lan · 198.18.7.0/24 · isolated")
                .contains("<g class=\"lane\" data-lane=\"web\">")
                .contains("<g class=\"lane\" data-lane=\"box\">")
                .contains("class=\"test-band\"")
                .contains("class=\"verdict\" id=\"verdict\">PASSED<")
                .doesNotContainPattern("(src|href|url)[=(]\"?https?:");
    }

    @Test
    void theFolderHasAnIndexWithoutOutputAndAPageForEachTestThatRanCommandsAndDropsPagesOfAnEarlierReport()
            throws Exception {
        JournalFixture fixture = new JournalFixture(root, "folder").provision();
        fixture.startTest("first")
                .run("web", "echo one", 0, "output-of-one", "")
                .finishTest("first", TestEvent.Result.PASSED, null);
        fixture.startTest("second")
                .run("box", "echo two", 0, "output-of-two", "")
                .finishTest("second", TestEvent.Result.PASSED, null);
        fixture.startTest("idle").finishTest("idle", TestEvent.Result.PASSED, null);
        fixture.tearDown(false).close();
        RunModel run = RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix)));
        Path dir = root.resolve("report");
        Path stale =
                java.nio.file.Files.createDirectories(dir.resolve(Pages.DIR)).resolve("t0-old.html");
        java.nio.file.Files.writeString(stale, "an earlier run's page");

        Path index = ReportFolder.write(run, dir, JournalFixture.T0);

        String html = java.nio.file.Files.readString(index);
        Pages pages = Pages.of(run);
        assertThat(pages.all()).hasSize(2);
        for (TestModel test : run.tests()) {
            String page = pages.of(test);
            if (test.method().equals("idle")) {
                assertThat(page).isNull();
                continue;
            }
            assertThat(html).contains("<a href=\"" + page + "\" class=\"test-name test-link\">");
            assertThat(java.nio.file.Files.readString(dir.resolve(page)))
                    .contains("output-of-" + (test.method().equals("first") ? "one" : "two"))
                    .contains("<a href=\"../index.html#" + test.anchor() + "\" id=\"back\">");
        }
        assertThat(html).doesNotContain("output-of-").doesNotContain("echo one");
        assertThat(stale).doesNotExist();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
