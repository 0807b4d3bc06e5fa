package io.testbed.cli;

import io.testbed.core.internal.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed janitor}: removes what dead runs left behind. */
@Command(
        mixinStandardHelpOptions = true,
        name = "janitor",
        description = "Removes what environments whose owner process is dead left on this host: libvirt domains and "
                + "networks, Docker containers, networks and snapshot images, leases, owner entries and the disks in "
                + "their prefixes (logs and journals stay). Environments in use are never touched; kept ones only "
                + "with --kept.")
final class JanitorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--kept", description = "Also kept environments whose JVM is gone (removes their KEPT marker).")
    boolean kept;

    @Option(
            names = "--older-than",
            paramLabel = "DURATION",
            converter = DurationText.Converter.class,
            description = "Only environments created at least this long ago: 90s, 30m, 2h, 1d, 1h30m or PT2H.")
    Duration olderThan;

    @Option(
            names = "--under",
            paramLabel = "DIR",
            description = "Only environments whose prefix lies under DIR (e.g. one checkout's target/testbed).")
    Path under;

    @Option(names = "--dry-run", description = "Tells what would be removed; removes nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Writes the outcome as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Janitor.Outcome outcome = Janitor.run(options.config(), new Janitor.Options(kept, olderThan, under, dryRun));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty().writeValueAsString(outcome));
        } else {
            lines(outcome).forEach(out::println);
        }
        out.flush();
        return outcome.clean() ? 0 : TestbedCli.FAILED;
    }

    /** The text of an outcome. */
    static List<String> lines(Janitor.Outcome outcome) {
        List<String> lines = new ArrayList<>();
        if (outcome.environments().isEmpty()) {
            lines.add("nothing to clean up: no environment"
                    + (outcome.skipped().isEmpty() ? "" : " but those left alone") + " in scope has a dead owner");
        }
        outcome.environments().forEach(line -> lines.add((outcome.dryRun() ? "would clean " : "cleaning ") + line));
        outcome.removed().forEach(line -> lines.add((outcome.dryRun() ? "  " : "removed ") + line));
        outcome.skipped().forEach(line -> lines.add("left alone " + line));
        outcome.leftovers().forEach(line -> lines.add("LEFT OVER " + line));
        if (!outcome.dryRun()) {
            lines.add(
                    outcome.clean()
                            ? "janitor: " + outcome.environments().size() + " environment(s) cleaned, "
                                    + outcome.removed().size() + " object(s) removed, nothing left over"
                            : "janitor: " + outcome.leftovers().size()
                                    + " thing(s) left over; run it again once the cause"
                                    + " is fixed (testbed doctor)");
        }
        return lines;
    }
}
