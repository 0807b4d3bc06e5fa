package io.testbed.reports.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The run summary printed at the end of a run: the verdict and counts, then one block per environment (machines with
 * their boot times, reverts, commands, failures), e.g.
 * <pre>
 * [testbed] report: FAILED: 3 classes, 9 tests: 8 passed, 1 failed; 2 environments, 41 commands
 * [testbed] two-vms-talk-it (…/target/testbed/two-vms-talk-it-1a2b3c4d): torn down, ready after 9.3 s
 * [testbed]   machines: server VM tiny TCG boot 7.4 s; client VM tiny TCG boot 7.1 s
 * [testbed]   reverts: 4, median 450 ms, max 700 ms
 * [testbed]   commands: 23 in 3 tests, at most 12 in one
 * [testbed]   failed: TwoVmsTalkIT › aFailingTest(): expected exit code 0 but was 1
 * </pre>
 */
public final class ConsoleSummary {

    private static final String PREFIX = "[testbed] ";

    private ConsoleSummary() {}

    /** The summary's lines, without the report's path. */
    public static List<String> lines(RunModel run) {
        List<String> lines = new ArrayList<>();
        List<TestModel> tests = run.tests();
        String counts = java.util.Arrays.stream(Status.values())
                .map(s -> tests.stream().filter(t -> t.status() == s).count() + " " + s.label())
                .filter(s -> !s.startsWith("0 "))
                .collect(Collectors.joining(", "));
        lines.add(PREFIX + "report: " + (run.failed() ? "FAILED" : "PASSED") + ": "
                + run.classes().size()
                + (run.classes().size() == 1 ? " class, " : " classes, ") + Format.count(tests.size(), "test")
                + (counts.isEmpty() ? "" : ": " + counts) + "; "
                + Format.count(run.environments().size(), "environment") + ", "
                + Format.count(
                        run.environments().stream()
                                .mapToInt(EnvironmentModel::commands)
                                .sum(),
                        "command"));
        for (EnvironmentModel environment : run.environments()) {
            lines.add(PREFIX + environment.name() + " (" + environment.prefix() + "): "
                    + (environment.outcome() == null ? "journal incomplete" : environment.outcome())
                    + (environment.ready() == null ? "" : ", ready after " + Format.duration(environment.ready())));
            lines.add(PREFIX + "  machines: "
                    + environment.machines().stream()
                            .map(m -> m.name() + " " + m.kind()
                                    + " " + m.image() + (m.accelerator() == null ? "" : " " + m.accelerator())
                                    + " boot "
                                    + Format.duration(m.boot()))
                            .collect(Collectors.joining("; ")));
            List<java.time.Duration> reverts = environment.reverts();
            lines.add(PREFIX + "  reverts: "
                    + (reverts.isEmpty()
                            ? "none"
                            : reverts.size() + ", median " + Format.duration(Format.median(reverts)) + ", max "
                                    + Format.duration(Format.max(reverts))));
            List<TestModel> own = tests.stream()
                    .filter(t -> environment.id().equals(t.environment()))
                    .toList();
            lines.add(PREFIX + "  commands: " + environment.commands() + " in " + Format.count(own.size(), "test")
                    + (own.isEmpty()
                            ? ""
                            : ", at most "
                                    + own.stream()
                                            .mapToLong(TestModel::runCount)
                                            .max()
                                            .orElse(0) + " in one"));
            for (String failure : environment.failures()) {
                lines.add(PREFIX + "  problem: " + HtmlReport.oneLine(failure));
            }
            run.failures().stream()
                    .filter(t -> environment.id().equals(t.environment()))
                    .forEach(t -> lines.add(PREFIX + "  failed: " + TestList.title(t)
                            + (t.failure() == null ? "" : ": " + HtmlReport.oneLine(t.failure()))));
        }
        run.failures().stream()
                .filter(t -> t.environment() == null)
                .forEach(t -> lines.add(PREFIX + "failed: " + TestList.title(t)
                        + (t.failure() == null ? "" : ": " + HtmlReport.oneLine(t.failure()))));
        return lines;
    }
}
