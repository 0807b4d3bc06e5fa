package io.testbed.cli;

import io.testbed.core.internal.json.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed ls}: the environments on this host. */
@Command(
        mixinStandardHelpOptions = true,
        name = "ls",
        description = "Lists the environments on this host: name, id, owner process (alive or dead), kept or not, "
                + "age, prefix directory; each machine with provider, state and addresses; each network; the leases.")
final class LsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--json", description = "Writes the list as JSON (an array of environments).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<EnvironmentInfo> environments = HostEnvironments.list(options.config());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty().writeValueAsString(environments));
        } else {
            EnvironmentTable.render(environments).forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
