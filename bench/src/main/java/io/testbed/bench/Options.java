package io.testbed.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line: {@code [--quick | --full] [--only group,…] [--out file]}.
 *
 * @param mode           {@code quick} (5 runs per metric, at most ~10 minutes on 2 cores) or {@code full}
 * @param runs           measured runs per metric, after one warm-up run
 * @param execRuns       measured commands per exec metric, after a warm-up of a tenth of them
 * @param groups         the benchmark groups to run ({@link #GROUPS})
 * @param output         the JSON results file, or null for {@code <bench>/target/bench-results.json}
 */
record Options(String mode, int runs, int execRuns, Set<String> groups,
        Path output) {

    /** Every benchmark group, in the order they run. */
    static final List<String> GROUPS = List.of("cold", "revert", "parallel", "heap", "extension", "container");

    static final String USAGE = """
            usage: java -jar bench/target/testbed-bench.jar [--quick | --full] [--only GROUP,...] [--out FILE]
              --quick   5 runs per metric after a warm-up, 100 commands per exec metric (about 10 minutes on 2 cores)
              --full    10 runs per metric, 200 commands per exec metric (the default)
              --only    run only these groups: %s
              --out     write the JSON results there (default: bench-results.json beside the jar)
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
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'\n" + USAGE);
            }
        }
        return quick ? new Options("quick", 5, 100, groups, output)
                : new Options("full", 10, 200, groups, output);
    }

    boolean runs(String group) {
        return groups.contains(group);
    }
}
