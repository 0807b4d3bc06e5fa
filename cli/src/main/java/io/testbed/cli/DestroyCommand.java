package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.Reaper;
import io.testbed.core.spi.Owner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed destroy ENV}: removes one environment. */
@Command(
        mixinStandardHelpOptions = true,
        name = "destroy",
        description = "Destroys one environment: its machines, networks, snapshot images, leases, owner entry and the "
                + "disks in its prefix (logs and journal stay). A kept environment or one whose owner process is dead "
                + "goes at once; one a running JVM still uses only with --force.")
final class DestroyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Mixin
    EnvironmentArgument environment;

    @Option(
            names = "--force",
            description = "Destroys it even though its owner process runs and did not keep it (that JVM's tests then"
                    + " lose their machines).")
    boolean force;

    @Override
    public Integer call() {
        TestbedConfig config = options.config();
        EnvironmentInfo info = environment.resolve(config);
        if (info.ownerAlive() && !info.kept() && !force) {
            throw new IllegalArgumentException(info.name() + " (id " + info.shortId() + ") is in use by pid "
                    + info.pid() + ", which did not keep it: it tears it down itself when its tests end. Stop that"
                    + " JVM first, or give --force to destroy it under its feet");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (info.kept()) {
            Janitor.letGo(Path.of(info.prefix()));
            out.println("removed the KEPT marker of " + info.prefix());
        }
        DockerAccess.pinApiVersion();
        List<String> removed = Reaper.destroy(
                config, Engine.create(config).providers().values(), new Owner(info.id(), info.prefix(), info.pid()));
        removed.forEach(line -> out.println((Reaper.isLeftover(line) ? "" : "removed ") + line));
        List<EnvironmentInfo> left = HostEnvironments.list(config).stream()
                .filter(e -> e.id().equals(info.id()))
                .toList();
        boolean failed = removed.stream().anyMatch(Reaper::isLeftover);
        if (left.isEmpty() && !failed) {
            out.println("destroyed " + info.name() + " (id " + info.shortId() + "); its logs and journal stay in "
                    + info.prefix());
            out.flush();
            return 0;
        }
        out.println("LEFT OVER of " + info.name() + " (id " + info.shortId() + "): "
                + (left.isEmpty() ? "see the failures above" : "owner entry or leases remain")
                + "; fix the cause (testbed doctor) and run testbed destroy or testbed janitor again");
        out.flush();
        return TestbedCli.FAILED;
    }
}
