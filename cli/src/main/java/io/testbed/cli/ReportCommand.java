package io.testbed.cli;

import io.testbed.reports.ReportMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code testbed report DIR [OUT]}: the reports module's {@link ReportMain}. */
@Command(
        mixinStandardHelpOptions = true,
        name = "report",
        description = "Rebuilds the HTML report and prints the run summary from a directory of prefixes (such as "
                + "target/testbed) or one prefix, e.g. after a JVM was killed. Exit status 0 when everything passed,"
                + " 1 when something failed or a journal is incomplete, 2 when nothing could be read.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "A directory of prefixes, or one prefix.")
    Path prefixes;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "OUT",
            description = "Where index.html goes (default target/testbed-report).")
    Path output;

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(List.of(prefixes.toString()));
        if (output != null) {
            args.add(output.toString());
        }
        return ReportMain.run(args.toArray(String[]::new));
    }
}
