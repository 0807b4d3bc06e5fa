package io.testbed.reports;

import io.testbed.core.TestbedException;
import io.testbed.reports.internal.ConsoleSummary;
import io.testbed.reports.internal.EnvironmentModel;
import io.testbed.reports.internal.EnvironmentReader;
import io.testbed.reports.internal.HtmlReport;
import io.testbed.reports.internal.JUnitOutcome;
import io.testbed.reports.internal.Pages;
import io.testbed.reports.internal.ReportFolder;
import io.testbed.reports.internal.RunModel;
import io.testbed.reports.internal.RunModelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * The report of a run, built from the journals of its environments' prefixes (and nothing else the prefixes do not
 * keep): a self-contained HTML report in one folder ({@link #writeHtml(Path)}: an index page and a page per test)
 * and a console summary ({@link #summary()}).
 *
 * <pre>
 * TestbedReport report = TestbedReport.fromPrefixes(Path.of("target/testbed"));
 * Path page = report.writeHtml(Path.of("target/testbed-report"));
 * report.summary().forEach(System.out::println);
 * </pre>
 */
@API(status = API.Status.EXPERIMENTAL)
public final class TestbedReport {

    /** The file name of the report's index page in its folder. */
    public static final String INDEX = HtmlReport.INDEX;

    private final RunModel run;

    private TestbedReport(RunModel run) {
        this.run = run;
    }

    /**
     * The report of every prefix in {@code dir}: its subdirectories that hold a {@code journal.jsonl}, or
     * {@code dir} itself when it is one.
     *
     * @throws TestbedException when {@code dir} cannot be listed or a journal cannot be read
     */
    public static TestbedReport fromPrefixes(Path dir) {
        return new TestbedReport(RunModelBuilder.build(read(prefixesIn(dir))));
    }

    /** The report of the given prefixes and JUnit's outcomes, for the launcher listener. */
    static TestbedReport of(List<Path> prefixes, List<JUnitOutcome> outcomes) {
        return new TestbedReport(RunModelBuilder.build(read(prefixes), outcomes));
    }

    /** The prefix directories in {@code dir}, sorted by name. */
    static List<Path> prefixesIn(Path dir) {
        if (EnvironmentReader.isPrefix(dir)) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(EnvironmentReader::isPrefix).sorted().toList();
        } catch (IOException e) {
            throw new TestbedException("Cannot list prefixes in " + dir + ": " + e, e);
        }
    }

    private static List<EnvironmentModel> read(List<Path> prefixes) {
        List<EnvironmentModel> environments = new ArrayList<>();
        for (Path prefix : prefixes) {
            environments.add(EnvironmentReader.read(prefix));
        }
        return environments;
    }

    /** The model the report shows. */
    RunModel run() {
        return run;
    }

    /** How many environments it shows. */
    public int environments() {
        return run.environments().size();
    }

    /** Whether a test, a class or an environment failed, or a journal is incomplete. */
    public boolean failed() {
        return run.failed();
    }

    /** The index page: the run, its tests in a line each, its environments; commands are on the test pages. */
    public String html() {
        return HtmlReport.render(run, Pages.of(run), Instant.now());
    }

    /**
     * Writes the report to the folder {@code dir}, creating it: {@code dir}/{@value #INDEX} (replaced atomically)
     * and a page per test with commands, files or a failure in {@code dir/tests/}; pages of an earlier report there
     * are removed.
     *
     * @return the index page
     * @throws TestbedException when it cannot be written
     */
    public Path writeHtml(Path dir) {
        try {
            return ReportFolder.write(run, dir, Instant.now());
        } catch (IOException | RuntimeException e) {
            throw new TestbedException(
                    "Cannot write the report to " + dir + ": " + e
                            + "; check that testbed.report.dir names a writable directory",
                    e);
        }
    }

    /** The console summary: one line for the run, one block per environment. */
    public List<String> summary() {
        return ConsoleSummary.lines(run);
    }
}
