package io.testbed.reports;

import io.testbed.core.TestbedException;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * Rebuilds the HTML report from a directory of prefixes, e.g. after a run whose JVM was killed:
 * <pre>
 * java -cp "$(cat cp.txt)" io.testbed.reports.ReportMain target/testbed [target/testbed-report]
 * </pre>
 * Prints the run summary and the report's path; exits 0 when everything passed, 1 when something failed or a journal
 * is incomplete, 2 on a usage or read error.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class ReportMain {

    private ReportMain() {}

    /** {@code DIR [OUT]}: the prefixes' directory (or one prefix), and where to write (default {@code target/testbed-report}). */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * What {@link #main} does, without exiting: for callers that run it in their own JVM (the {@code testbed report}
     * command).
     *
     * @return the exit status: 0 everything passed, 1 something failed or a journal is incomplete, 2 usage or read
     *         error
     */
    public static int run(String[] args) {
        if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
            System.err.println("usage: ReportMain PREFIXES_DIR [OUTPUT_DIR]\n"
                    + "  PREFIXES_DIR  a directory of prefixes (such as target/testbed) or one prefix\n"
                    + "  OUTPUT_DIR    where index.html goes (default target/testbed-report)");
            return 2;
        }
        Path dir = Path.of(args[0]);
        Path out = Path.of(args.length == 2 ? args[1] : "target/testbed-report");
        try {
            TestbedReport report = TestbedReport.fromPrefixes(dir);
            if (report.environments() == 0) {
                System.err.println("no prefix with a journal.jsonl in " + dir.toAbsolutePath());
                return 2;
            }
            Path page = report.writeHtml(out).toAbsolutePath();
            report.summary().forEach(System.out::println);
            System.out.println("[testbed] report: " + page.toUri());
            return report.failed() ? 1 : 0;
        } catch (TestbedException e) {
            System.err.println(e.getMessage());
            return 2;
        }
    }
}
