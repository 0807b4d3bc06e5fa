package io.testbed.cli;

import io.testbed.core.internal.support.FileModes;
import io.testbed.core.prefix.PrefixResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code testbed ssh ENV MACHINE [COMMAND...]}: a shell on a machine, or one command, with its exit status. */
@Command(
        mixinStandardHelpOptions = true,
        name = "ssh",
        description = "Opens a shell on a machine, or runs COMMAND there and exits with its status: VMs over OpenSSH"
                + " with the prefix's key and the machine's pinned host key, containers through docker exec."
                + " Everything after MACHINE is the command.")
final class SshCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Mixin
    EnvironmentArgument environment;

    @Parameters(index = "1", paramLabel = "MACHINE", description = "The machine.")
    String machine;

    @Parameters(index = "2..*", paramLabel = "COMMAND", description = "A command to run instead of a shell.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        EnvironmentInfo info = environment.resolve(options.config());
        PrefixResource target = info.machine(machine)
                .orElseThrow(() -> new IllegalArgumentException("environment " + info.name() + " has no machine '"
                        + machine + "'; its machines: "
                        + info.machines().stream().map(PrefixResource::name).toList()));
        Path knownHosts = null;
        try {
            if (MachineAccess.needsKnownHosts(target)) {
                knownHosts = Files.createTempFile(
                        "testbed-known-hosts-", "", PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY_FILE));
                MachineAccess.writeKnownHosts(info, target, knownHosts);
            }
            List<String> line = MachineAccess.commandLine(info, target, command, knownHosts, System.console() != null);
            return new ProcessBuilder(line).inheritIO().start().waitFor();
        } finally {
            if (knownHosts != null) {
                Files.deleteIfExists(knownHosts);
            }
        }
    }
}
