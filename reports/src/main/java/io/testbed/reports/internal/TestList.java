package io.testbed.reports.internal;

/**
 * The index's part for test classes and tests: per class a heading (its verdict, its environment) and one line per
 * test, failed ones first, with its result, duration, command count and reverts, its failure message, and a link to
 * its page ({@link Pages}) where its commands are; a failed test's link goes straight to its failing command.
 */
final class TestList {

    /** The most characters of a failure message on the index; its page shows up to {@link TestPage#OUTPUT_CAP}. */
    static final int FAILURE_CAP = 1000;

    private TestList() {}

    static void writeClass(Html html, ClassModel testClass, RunModel run, Pages pages) {
        TestModel self = testClass.self();
        html.open("div", "class", "class " + (testClass.failed() ? "failed" : "passed"), "id", self.anchor());
        // the class's badge says whether anything in it failed (JUnit passes a class whose tests failed)
        String status = testClass.failed() && !self.status().isFailure()
                ? Status.FAILED.label()
                : self.status().label();
        html.open("h3")
                .element("span", status, "class", "badge " + status)
                .text(" ")
                .text(self.className() == null ? self.displayName() : self.className());
        EnvironmentModel environment = self.environment() == null ? null : run.environment(self.environment());
        if (environment != null) {
            html.text(" ");
            HtmlReport.environmentLink(html, environment, "");
        }
        html.close("h3");
        html.open("ul", "class", "tests");
        // what happened outside the tests leads only when it failed: failures come first, events alone after the tests
        String outside = "outside tests (@BeforeAll, @AfterAll, provisioning)";
        if (self.failure() != null) {
            line(html, self, pages, outside);
        }
        for (TestModel test : testClass.tests()) {
            line(html, test, pages, null);
        }
        if (self.failure() == null && pages.of(self) != null) {
            line(html, self, pages, outside);
        }
        html.close("ul").close("div");
    }

    private static void line(Html html, TestModel test, Pages pages, String label) {
        String status = test.status().label();
        String page = pages.of(test);
        html.open(
                "li",
                "class",
                "test " + status,
                "id",
                label == null ? test.anchor() : test.anchor() + "-self",
                "data-status",
                status);
        html.element("span", status, "class", "badge " + status).text(" ");
        String name = label == null ? test.displayName() : label;
        if (page == null) {
            html.element("span", name, "class", "test-name");
        } else {
            html.element("a", name, "href", link(test, page), "class", "test-name test-link");
        }
        html.element("span", facts(test), "class", "test-facts");
        if (test.failure() != null) {
            html.element("pre", cap(test.failure(), page != null), "class", "failure");
        }
        html.close("li");
    }

    /** The link to a test's page: to its failing command when it failed. */
    static String link(TestModel test, String page) {
        return test.status().isFailure() ? page + "#" + TestPage.FAILING : page;
    }

    /** {@code 1.2 s · 20 commands · reverted in 450 ms}. */
    static String facts(TestModel test) {
        return Format.duration(test.duration()) + " · " + Format.count(test.runCount(), "command")
                + (test.reverts().isEmpty() ? "" : " · reverted in " + Format.duration(Format.max(test.reverts())));
    }

    static String title(TestModel test) {
        String owner = test.className() == null ? "" : RunModelBuilder.simpleName(test.className());
        if (test.container()) {
            return owner;
        }
        return owner.isEmpty() ? test.displayName() : owner + " › " + test.displayName();
    }

    private static String cap(String failure, boolean hasPage) {
        if (!hasPage || failure.length() <= FAILURE_CAP) {
            return TestPage.cap(failure);
        }
        return failure.substring(0, FAILURE_CAP) + "\n[report: " + (failure.length() - FAILURE_CAP)
                + " more characters on the test's page]";
    }
}
