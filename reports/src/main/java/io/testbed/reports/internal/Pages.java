package io.testbed.reports.internal;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which tests get a page of their own in the report's folder, and its file name there. The index lists every test
 * in a line; a test's commands with their output, its files, and for a failed test the console tails live on its
 * page ({@value #DIR}{@code /<anchor>.html}), so the index stays small however many commands a run has.
 */
public final class Pages {

    /** The folder of the test pages, beside the index. */
    public static final String DIR = "tests";

    private final Map<String, String> byTest;

    private Pages(Map<String, String> byTest) {
        this.byTest = byTest;
    }

    /** The pages of {@code run}: one for each test and test class with something to show beyond its line. */
    public static Pages of(RunModel run) {
        Map<String, String> byTest = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        for (ClassModel testClass : run.classes()) {
            add(byTest, names, run, testClass.self(), "-class");
            for (TestModel test : testClass.tests()) {
                add(byTest, names, run, test, "");
            }
        }
        return new Pages(byTest);
    }

    private static void add(
            Map<String, String> byTest, Set<String> names, RunModel run, TestModel test, String suffix) {
        if (!hasPage(run, test) || byTest.containsKey(test.uniqueId())) {
            return;
        }
        String base = test.anchor() + suffix;
        String name = base;
        for (int n = 2; !names.add(name); n++) {
            name = base + "-" + n; // two unique ids with one hash
        }
        byTest.put(test.uniqueId(), DIR + "/" + name + ".html");
    }

    /**
     * Whether {@code test} has commands, files, environment events ({@link EnvironmentModel#notesOf}), or failed in
     * an environment (whose console tails its page shows).
     */
    static boolean hasPage(RunModel run, TestModel test) {
        EnvironmentModel environment = test.environment() == null ? null : run.environment(test.environment());
        return !test.commands().isEmpty()
                || !test.files().isEmpty()
                || (test.status().isFailure() && test.environment() != null)
                || (environment != null && !environment.notesOf(test).isEmpty());
    }

    /** The page of {@code test}, relative to the report's folder ({@code tests/t1a2b3c.html}), or null. */
    public String of(TestModel test) {
        return byTest.get(test.uniqueId());
    }

    /** Test unique id → page, in report order. */
    public Map<String, String> all() {
        return java.util.Collections.unmodifiableMap(byTest);
    }
}
