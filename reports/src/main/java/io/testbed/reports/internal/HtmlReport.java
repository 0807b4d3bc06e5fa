package io.testbed.reports.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Renders a {@link RunModel} as the report's index page, self-contained (inline CSS and SVG, no script, nothing
 * loaded from the network): the run's verdict and counts, links to the failures, every class and test in a line
 * (failed ones first) linking to its page ({@link TestPage}, in the report's folder), and each environment's facts,
 * topology and timeline. Every piece of data goes through {@link Html}'s escaping. Commands and their output live
 * on the test pages, so the index of a run of thousands of commands stays small enough to open at once.
 */
public final class HtmlReport {

    /** The file name of the index page in the report's folder. */
    public static final String INDEX = "index.html";

    private static final String CSS = resource("report.css");

    private HtmlReport() {}

    /** The index page of {@code run}, whose tests have {@code pages}, generated at {@code now}. */
    public static String render(RunModel run, Pages pages, Instant now) {
        StringBuilder out = new StringBuilder(256 * 1024);
        Html html = new Html(out);
        head(html, "Testbed report: " + (run.failed() ? "FAILED" : "PASSED"));
        html.open("body");
        header(html, run, now);
        failures(html, run, pages);
        html.open("section", "id", "tests").element("h2", "Tests");
        for (ClassModel testClass : run.classes()) {
            TestList.writeClass(html, testClass, run, pages);
        }
        if (run.classes().isEmpty()) {
            html.element("p", "No test was journaled.", "class", "note");
        }
        html.close("section");
        html.open("section", "id", "environments").element("h2", "Environments");
        for (EnvironmentModel environment : run.environments()) {
            environment(html, environment, run);
        }
        html.close("section");
        html.close("body").close("html");
        return out.toString();
    }

    /** Opens a page: the document type, {@code <html>} and its {@code <head>} with the title and the CSS. */
    static void head(Html html, String title) {
        html.raw("<!DOCTYPE html>\n");
        html.open("html", "lang", "en")
                .open("head")
                .raw("<meta charset=\"utf-8\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .element("title", title)
                .open("style")
                .raw(CSS)
                .close("style")
                .close("head");
    }

    private static void header(Html html, RunModel run, Instant now) {
        List<TestModel> tests = run.tests();
        html.open("header", "id", "run", "class", run.failed() ? "run failed" : "run passed");
        html.element("h1", "Testbed report");
        html.element("p", run.failed() ? "FAILED" : "PASSED", "class", "verdict", "id", "verdict");
        html.open("p", "class", "counts");
        html.text(run.classes().size() + (run.classes().size() == 1 ? " class" : " classes") + ", "
                + Format.count(tests.size(), "test") + ": ");
        for (Status status : Status.values()) {
            long n = tests.stream().filter(t -> t.status() == status).count();
            if (n > 0) {
                html.element("span", n + " " + status.label(), "class", "count " + status.label())
                        .text(" ");
            }
        }
        html.text(" · " + Format.count(run.environments().size(), "environment") + " · "
                + Format.count(
                        run.environments().stream()
                                .mapToInt(EnvironmentModel::commands)
                                .sum(),
                        "command")
                + " · " + Format.duration(run.duration()));
        html.close("p");
        html.element(
                "p", "generated " + now + (run.start() == null ? "" : " · run began " + run.start()), "class", "note");
        html.close("header");
    }

    private static void failures(Html html, RunModel run, Pages pages) {
        List<TestModel> failed = run.failures();
        List<EnvironmentModel> environments =
                run.environments().stream().filter(EnvironmentModel::failed).toList();
        if (failed.isEmpty() && environments.isEmpty()) {
            return;
        }
        html.open("section", "id", "failures").element("h2", "Failures").open("ul");
        for (TestModel test : failed) {
            String page = pages.of(test);
            html.open("li")
                    .open("a", "href", page == null ? "#" + test.anchor() : TestList.link(test, page))
                    .text(TestList.title(test))
                    .close("a");
            if (test.failure() != null) {
                html.text(": ").element("span", oneLine(test.failure()), "class", "message");
            }
            html.close("li");
        }
        for (EnvironmentModel environment : environments) {
            html.open("li")
                    .open("a", "href", "#" + anchor(environment))
                    .text("environment " + environment.name())
                    .close("a")
                    .text(": "
                            + (environment.complete()
                                    ? String.join("; ", environment.failures())
                                    : "journal incomplete"))
                    .close("li");
        }
        html.close("ul").close("section");
    }

    private static void environment(Html html, EnvironmentModel environment, RunModel run) {
        html.open(
                "section",
                "class",
                environment.failed() ? "environment failed" : "environment",
                "id",
                anchor(environment),
                "data-environment",
                environment.name());
        html.element("h3", environment.name());
        html.element("p", environment.prefix(), "class", "prefix");
        if (!environment.complete()) {
            html.element(
                    "p",
                    "Incomplete journal: it ends without the environment's teardown (the JVM was killed, "
                            + "or the environment is still in use)"
                            + (environment.truncated() ? "; its last line is cut short" : "")
                            + ". What it holds is shown.",
                    "class",
                    "warning incomplete");
        }
        for (String failure : environment.failures()) {
            html.element("pre", failure, "class", "failure");
        }
        facts(html, environment, run);
        html.element("h4", "Topology");
        TopologySvg.write(html, environment);
        machines(html, environment);
        if (!environment.notes().isEmpty()) {
            html.element("h4", "Starts, warm images, links and leases");
            NoteTable.write(html, environment.notes(), environment.start());
        }
        html.element("h4", "Timeline");
        TimelineSvg.write(html, environment);
        html.close("section");
    }

    private static void facts(Html html, EnvironmentModel environment, RunModel run) {
        List<java.time.Duration> reverts = environment.reverts();
        List<TestModel> tests = run.tests().stream()
                .filter(t -> environment.id().equals(t.environment()))
                .toList();
        html.open("dl", "class", "facts");
        fact(html, "outcome", environment.outcome() == null ? "(not ended)" : environment.outcome());
        fact(html, "ready after", Format.duration(environment.ready()));
        fact(
                html,
                "reverts",
                reverts.isEmpty()
                        ? "none"
                        : reverts.size() + ", median " + Format.duration(Format.median(reverts)) + ", max "
                                + Format.duration(Format.max(reverts)));
        fact(
                html,
                "commands",
                environment.commands() + " in " + Format.count(tests.size(), "test")
                        + (tests.isEmpty()
                                ? ""
                                : ", at most "
                                        + tests.stream()
                                                .mapToLong(TestModel::runCount)
                                                .max()
                                                .orElse(0) + " in one"));
        if (environment.unreadable() > 0 || environment.unknown() > 0) {
            fact(
                    html,
                    "journal",
                    environment.unreadable() + " unreadable line(s), " + environment.unknown()
                            + " event(s) of unknown types");
        }
        html.close("dl");
    }

    private static void fact(Html html, String name, String value) {
        html.element("dt", name).element("dd", value);
    }

    private static void machines(Html html, EnvironmentModel environment) {
        html.open("table", "class", "machines").open("thead").open("tr");
        for (String column : List.of(
                "machine",
                "kind",
                "provider",
                "image",
                "accelerator",
                "start",
                "addresses",
                "roles",
                "boot",
                "reverts",
                "commands")) {
            html.element("th", column);
        }
        html.close("tr").close("thead").open("tbody");
        for (MachineModel machine : environment.machines()) {
            html.open("tr", "data-machine", machine.name())
                    .element("td", machine.name())
                    .element("td", machine.kind())
                    .element("td", machine.provider())
                    .element("td", TopologySvg.shorten(String.valueOf(machine.image()), 40), "title", machine.image())
                    .element("td", machine.accelerator() == null ? "" : machine.accelerator())
                    .element("td", machine.start() == null ? "" : machine.start())
                    .element(
                            "td",
                            machine.addresses().entrySet().stream()
                                    .sorted(java.util.Map.Entry.comparingByKey())
                                    .map(e -> e.getKey() + " " + e.getValue())
                                    .reduce((a, b) -> a + ", " + b)
                                    .orElse(""))
                    .element(
                            "td",
                            String.join(", ", machine.roles().stream().sorted().toList()))
                    .element("td", Format.duration(machine.boot()))
                    .element(
                            "td",
                            machine.reverts().isEmpty()
                                    ? "none"
                                    : machine.reverts().size() + ", median "
                                            + Format.duration(Format.median(machine.reverts())))
                    .element("td", machine.commands())
                    .close("tr");
        }
        html.close("tbody").close("table");
    }

    /** A link to the environment's section of the index, which is {@code index} ("" on the index itself). */
    static void environmentLink(Html html, EnvironmentModel environment, String index) {
        html.element(
                "a",
                "environment " + environment.name(),
                "href",
                index + "#" + anchor(environment),
                "class",
                "env-link");
    }

    static String anchor(EnvironmentModel environment) {
        return "e-" + environment.id();
    }

    /** {@code text} on one line (white space collapsed: AssertJ's messages span lines), at most 200 characters. */
    static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 199) + "…";
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the reports jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
