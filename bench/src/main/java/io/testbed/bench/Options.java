package io.testbed.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line: {@code [--quick | --full] [--pairs n] [--only group,…] [--out file]}, or
 * {@code --render-readme results.json [other.json …]}.
 *
 * @param mode           {@code quick} (5 pairs per metric), {@code full} (10 pairs) or {@code pairs-N} ({@code --pairs N})
 * @param runs           measured pairs per metric (metric and anchor alternating), after one warm-up pair
 * @param execRuns       measured commands per exec metric, after a warm-up of a tenth of them
 * @param groups         the benchmark groups to run ({@link #GROUPS})
 * @param output         the JSON results file, or null for {@code <bench>/target/bench-results.json}
 * @param renderReadme   with {@code --render-readme}: the results files to render, the published run first; empty
 *                       otherwise
 */
record Options(String mode, int runs, int execRuns, Set<String> groups, Path output, List<Path> renderReadme) {

    /** Every benchmark group, in the order they run. */
    static final List<String> GROUPS =
            List.of("cold", "warm", "revert", "parallel", "heap", "extension", "container", "ssh", "report", "netem");

    static final String USAGE = """
            usage: java -jar bench/target/testbed-bench.jar [--quick | --full] [--pairs N] [--only GROUP,...] [--out FILE]
                   java -jar bench/target/testbed-bench.jar --render-readme bench/target/bench-results.json [OTHER.json ...]
              --quick          5 pairs per metric after a warm-up pair, 100 commands per exec metric
              --full           10 pairs per metric, 200 commands per exec metric (the default)
              --pairs          this many pairs instead (at least 2; for trying the bench out, not for results)
              --only           run only these groups: %s
              --out            write the JSON results there (default: bench-results.json beside the jar)
              --render-readme  print the README's results section (Markdown) from a results file, run nothing;
                               further files are compared with it in one more table
            """.formatted(String.join(", ", GROUPS));

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the bad argument, with the usage
     */
    static Options parse(String... args) {
        boolean quick = false;
        Set<String> groups = new LinkedHashSet<>(GROUPS);
        Path output = null;
        List<Path> render = new ArrayList<>();
        Integer pairs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--full" -> quick = false;
                case "--only" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--only needs a comma-separated list of groups\n" + USAGE);
                    }
                    groups = new LinkedHashSet<>();
                    for (String group : args[++i].split(",")) {
                        String name = group.strip();
                        if (!GROUPS.contains(name)) {
                            throw new IllegalArgumentException("--only: unknown group '" + name + "'; groups: "
                                    + String.join(", ", GROUPS) + "\n" + USAGE);
                        }
                        groups.add(name);
                    }
                }
                case "--out" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--out needs a file name\n" + USAGE);
                    }
                    output = Path.of(args[++i]);
                }
                case "--render-readme" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException("--render-readme needs a results file\n" + USAGE);
                    }
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        render.add(Path.of(args[++i]));
                    }
                }
                case "--pairs" -> {
                    if (i + 1 >= args.length || !args[i + 1].matches("\\d{1,4}") || Integer.parseInt(args[i + 1]) < 2) {
                        throw new IllegalArgumentException("--pairs needs a number of at least 2, was "
                                + (i + 1 < args.length ? "'" + args[i + 1] + "'" : "nothing") + "\n" + USAGE);
                    }
                    pairs = Integer.parseInt(args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'\n" + USAGE);
            }
        }
        int runs = pairs != null ? pairs : quick ? 5 : 10;
        int execRuns = pairs != null ? Math.max(20, pairs * 10) : quick ? 100 : 200;
        return new Options(
                pairs != null ? "pairs-" + pairs : quick ? "quick" : "full", runs, execRuns, groups, output, render);
    }

    boolean runs(String group) {
        return groups.contains(group);
    }
}
