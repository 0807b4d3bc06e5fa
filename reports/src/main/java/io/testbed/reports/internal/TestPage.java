package io.testbed.reports.internal;

import io.testbed.core.journal.CommandEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A test's own page in the report's folder ({@link Pages}): its result and facts, its failure, its commands in the
 * order they ran (each expandable to its output), its jobs, copies, port waits and settings, and its files; for a
 * failed test the failing command is marked ({@code #failing}, its output shown) and followed by the console tail
 * of each machine of its environment; then what happened to the environment meanwhile (machines started warm or
 * cold, warm images, links constrained, cut and healed, hosts leased). A test class's page holds what ran and
 * happened outside its tests.
 */
final class TestPage {

    /** The most characters of one output stream the page shows; the journal keeps more. */
    static final int OUTPUT_CAP = 8 * 1024;

    /** The id of the failing command's row: the index links to it. */
    static final String FAILING = "failing";

    private TestPage() {}

    /** The page of {@code test} (of a class when {@link TestModel#container()}), generated at {@code now}. */
    static String render(RunModel run, TestModel test, Instant now) {
        EnvironmentModel environment = test.environment() == null ? null : run.environment(test.environment());
        String status = test.status().label();
        String title = test.container() ? TestList.title(test) + ": outside tests" : TestList.title(test);
        StringBuilder out = new StringBuilder(16 * 1024);
        Html html = new Html(out);
        HtmlReport.head(html, "Testbed: " + title + ": " + status);
        html.open("body", "class", "test-page");
        html.open("nav", "class", "back")
                .element("a", "← run report", "href", "../" + HtmlReport.INDEX + "#" + test.anchor(), "id", "back");
        if (environment != null) {
            html.text(" · ");
            HtmlReport.environmentLink(html, environment, "../" + HtmlReport.INDEX);
        }
        html.close("nav");
        html.open(
                        "header",
                        "class",
                        "test " + status,
                        "id",
                        "test",
                        "data-status",
                        status,
                        "data-test",
                        test.uniqueId())
                .open("h1")
                .element("span", status, "class", "badge " + status)
                .text(" " + title)
                .close("h1")
                .element(
                        "p",
                        (test.className() == null ? "" : test.className() + " · ")
                                + (test.container() ? "what ran in @BeforeAll, @AfterAll and provisioning · " : "")
                                + TestList.facts(test),
                        "class",
                        "test-facts")
                .element("p", "generated " + now, "class", "note")
                .close("header");
        if (test.failure() != null) {
            html.element("pre", cap(test.failure()), "class", "failure");
        }
        CommandEvent failing = test.status().isFailure() ? test.failingCommand() : null;
        if (!test.commands().isEmpty()) {
            html.element("h2", "Commands");
            commands(html, test, failing, environment);
        } else if (test.status().isFailure() && environment != null) {
            html.open("section", "id", FAILING, "class", "consoles");
            consoles(html, environment, test);
            html.close("section");
        }
        List<Note> notes = environment == null ? List.of() : environment.notesOf(test);
        if (!notes.isEmpty()) {
            html.element("h2", "Environment events");
            NoteTable.write(html, notes, test.container() ? environment.start() : test.start());
        }
        if (!test.files().isEmpty()) {
            html.element("h2", "Files").open("ul", "class", "files");
            for (PublishedFile file : test.files()) {
                html.open("li")
                        .element("a", file.name(), "href", file.path().toUri().toString())
                        .close("li");
            }
            html.close("ul");
        }
        html.close("body").close("html");
        return out.toString();
    }

    private static void commands(Html html, TestModel test, CommandEvent failing, EnvironmentModel environment) {
        Instant start =
                test.start() != null ? test.start() : test.commands().get(0).time();
        html.open("table", "class", "commands").open("thead").open("tr");
        for (String column : List.of("at", "machine", "what", "command", "result", "took")) {
            html.element("th", column);
        }
        html.close("tr").close("thead").open("tbody");
        for (CommandEvent command : test.commands()) {
            boolean isFailing = command == failing;
            html.open("tr", "class", isFailing ? "command failing" : "command", "id", isFailing ? FAILING : null)
                    .element("td", "+" + Format.duration(Duration.between(start, command.time())), "class", "at")
                    .element("td", command.machine(), "class", "machine");
            row(html, command, isFailing);
            html.close("tr");
            if (isFailing && environment != null) {
                html.open("tr", "class", "consoles").open("td", "colspan", "6");
                consoles(html, environment, test);
                html.close("td").close("tr");
            }
        }
        html.close("tbody").close("table");
    }

    private static void row(Html html, CommandEvent command, boolean open) {
        if (command instanceof CommandEvent.CommandRun run) {
            html.element("td", run.purpose().name().toLowerCase(java.util.Locale.ROOT));
            html.open("td", "class", "cmd");
            output(html, run.command(), run.stdout(), run.stderr(), run.error(), open);
            html.close("td");
            String result = run.exitCode() != null
                    ? "exit " + run.exitCode()
                    : run.outcome().name().toLowerCase(java.util.Locale.ROOT);
            boolean ok = run.exitCode() != null && run.exitCode() == 0;
            html.element("td", result, "class", ok ? "result ok" : "result bad")
                    .element("td", Format.duration(run.duration()));
        } else if (command instanceof CommandEvent.JobStarted job) {
            cells(
                    html,
                    "job " + job.job() + " started",
                    job.command(),
                    job.error() == null ? "running" : job.error(),
                    job.error() == null,
                    job.duration());
        } else if (command instanceof CommandEvent.JobFinished job) {
            html.element("td", "job " + job.job() + (job.killed() ? " killed" : " ended"));
            html.open("td", "class", "cmd");
            output(html, job.command(), job.stdout(), job.stderr(), job.error(), open);
            html.close("td");
            boolean ok = job.killed() || job.exitCode() != null && job.exitCode() == 0;
            html.element(
                            "td",
                            job.exitCode() != null
                                    ? "exit " + job.exitCode()
                                    : job.outcome().name().toLowerCase(java.util.Locale.ROOT),
                            "class",
                            ok ? "result ok" : "result bad")
                    .element("td", Format.duration(job.duration()));
        } else if (command instanceof CommandEvent.FileCopied copy) {
            cells(
                    html,
                    copy.direction().name().toLowerCase(java.util.Locale.ROOT),
                    copy.source() + " → " + copy.target(),
                    copy.error() == null ? "ok" : copy.error(),
                    copy.error() == null,
                    copy.duration());
        } else if (command instanceof CommandEvent.PortWaited port) {
            cells(
                    html,
                    "port wait",
                    port.address() + ":" + port.port(),
                    port.open() ? "open" : "not open",
                    port.open(),
                    port.duration());
        } else if (command instanceof CommandEvent.SettingChanged setting) {
            cells(
                    html,
                    "setting changed",
                    setting.setting() + " = " + setting.value(),
                    "was " + setting.oldValue(),
                    true,
                    null);
        } else if (command instanceof CommandEvent.SettingRestored setting) {
            cells(
                    html,
                    "setting restored",
                    setting.setting() + " = " + setting.value(),
                    setting.error() == null ? "ok" : setting.error(),
                    setting.error() == null,
                    null);
        }
    }

    private static void cells(Html html, String what, String command, String result, boolean ok, Duration took) {
        html.element("td", what)
                .open("td", "class", "cmd")
                .element("code", cap(command))
                .close("td")
                .element("td", result, "class", ok ? "result ok" : "result bad")
                .element("td", took == null ? "" : Format.duration(took));
    }

    /** The command, expandable to its output; {@code open} (the failing command's) shows the output at once. */
    private static void output(Html html, String command, String stdout, String stderr, String error, boolean open) {
        boolean any = notEmpty(stdout) || notEmpty(stderr) || notEmpty(error);
        if (!any) {
            html.element("code", cap(command));
            return;
        }
        html.open("details", "class", "output", "open", open ? "" : null)
                .open("summary")
                .element("code", cap(command))
                .close("summary");
        if (notEmpty(stdout)) {
            html.element("pre", cap(stdout), "class", "stdout");
        }
        if (notEmpty(stderr)) {
            html.element("pre", cap(stderr), "class", "stderr");
        }
        if (notEmpty(error)) {
            html.element("pre", cap(error), "class", "stderr");
        }
        html.close("details");
    }

    /**
     * The console tails of the environment's machines: from the console log attached to the failed test (copied
     * when it failed, so it ends where the failure was), else from the prefix (as it was at the end of the run).
     */
    private static void consoles(Html html, EnvironmentModel environment, TestModel test) {
        for (MachineModel machine : environment.machines()) {
            String name = machine.name() + "-console.log";
            Path attached = test.files().stream()
                    .filter(f -> f.name().equals(name))
                    .map(PublishedFile::path)
                    .filter(java.nio.file.Files::isRegularFile)
                    .findFirst()
                    .orElse(null);
            Path log = attached != null ? attached : machine.consoleLog();
            if (log == null) {
                continue;
            }
            String source = attached != null
                    ? name + " attached when the test failed"
                    : Path.of("logs", name) + " in the prefix, at the end of the run";
            html.open("div", "class", "console", "data-machine", machine.name())
                    .element("h5", "Console tail of " + machine.name() + " (" + source + ")")
                    .element("pre", ConsoleTail.read(log), "class", "console-tail")
                    .close("div");
        }
    }

    private static boolean notEmpty(String text) {
        return text != null && !text.isEmpty();
    }

    /** {@code text} cut to {@link #OUTPUT_CAP} characters, with a marker saying how much was cut. */
    static String cap(String text) {
        if (text == null || text.length() <= OUTPUT_CAP) {
            return text;
        }
        return text.substring(0, OUTPUT_CAP) + "\n[report: " + (text.length() - OUTPUT_CAP)
                + " more characters not shown; the journal keeps up to " + CommandEvent.OUTPUT_CAP + "]";
    }
}
