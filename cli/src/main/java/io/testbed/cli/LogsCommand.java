package io.testbed.cli;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code testbed logs ENV [MACHINE]}: the journal (commands included) and the serial consoles. */
@Command(
        mixinStandardHelpOptions = true,
        name = "logs",
        description = "Prints an environment's journal (every provisioning step, test and command, from journal.jsonl)"
                + " and its machines' serial consoles; with MACHINE only that machine's events and console.")
final class LogsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Mixin
    EnvironmentArgument environment;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MACHINE", description = "One machine of it.")
    String machine;

    @Option(
            names = {"-f", "--follow"},
            description = "Keeps printing what is appended until the environment's journal ends or its owner"
                    + " process is gone.")
    boolean follow;

    @Option(names = "--no-console", description = "Leaves the serial consoles out.")
    boolean noConsole;

    @Option(
            names = "--json",
            description = "Writes the journal's events as JSON lines, one object each as journal.jsonl holds them"
                    + " (no consoles).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        EnvironmentInfo info = environment.resolve(options.config());
        Prefix prefix = LogFiles.open(info)
                .orElseThrow(() -> new IllegalArgumentException("the prefix directory " + info.prefix() + " of "
                        + info.name() + " is gone: no journal or console is left to show"));
        LogFiles logs = new LogFiles(
                prefix, machine, !noConsole, json, spec.commandLine().getOut());
        if (machine != null) {
            Set<String> machines = new LinkedHashSet<>();
            prefix.resources().stream().filter(PrefixResource::isMachine).forEach(m -> machines.add(m.name()));
            machines.addAll(logs.machinesWithConsole());
            if (!machines.contains(machine)) {
                throw new IllegalArgumentException(
                        "environment " + info.name() + " has no machine '" + machine + "'; its machines: " + machines);
            }
        }
        logs.printAll();
        if (follow) {
            logs.follow(300);
        }
        return 0;
    }
}
