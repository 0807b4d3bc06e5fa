package io.testbed.reports.internal;

import java.util.stream.Collectors;

/** The report's pages of a run, as the tests look at them. */
final class Rendered {

    private Rendered() {}

    static String index(RunModel run) {
        return HtmlReport.render(run, Pages.of(run), JournalFixture.T0);
    }

    /** The page of the test (or class) with this method name, or of the class when {@code method} is null. */
    static String page(RunModel run, String method) {
        TestModel test = run.classes().stream()
                .flatMap(c -> java.util.stream.Stream.concat(java.util.stream.Stream.of(c.self()), c.tests().stream()))
                .filter(t -> method == null ? t.container() : method.equals(t.method()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no test " + method));
        return TestPage.render(run, test, JournalFixture.T0);
    }

    /** The index and every test page, one after the other. */
    static String everything(RunModel run) {
        Pages pages = Pages.of(run);
        return HtmlReport.render(run, pages, JournalFixture.T0)
                + ReportFolder.withPages(run, pages).stream()
                        .map(t -> TestPage.render(run, t, JournalFixture.T0))
                        .collect(Collectors.joining());
    }
}
