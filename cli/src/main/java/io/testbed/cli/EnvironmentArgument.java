package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The {@code ENV} argument of the commands that act on one environment, and its resolution. */
final class EnvironmentArgument {

    @Parameters(
            index = "0",
            paramLabel = "ENV",
            description = "The environment: its name, its prefix directory (or that directory's name) or the"
                    + " beginning of its id.")
    String environment;

    /** The environment the argument names among those on this host ({@link EnvironmentResolver}). */
    EnvironmentInfo resolve(TestbedConfig config) {
        return EnvironmentResolver.resolve(
                environment, HostEnvironments.list(config), Path.of("").toAbsolutePath());
    }
}
