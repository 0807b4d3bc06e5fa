package io.testbed.cli;

import io.testbed.core.TestbedException;
import java.io.PrintWriter;
import org.apiguardian.api.API;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code testbed} command: what Testbed runs on this host, and the host itself. {@code scripts/testbed} runs it
 * from {@code cli/target/testbed-cli.jar}.
 *
 * <p>Exit status: 0 when the command did what it was asked, 1 when it could not (a failed check, something left
 * behind, an environment in use), 2 for a usage error (picocli's own), and a remote command's own status for {@code
 * ssh ENV MACHINE COMMAND}.
 */
@API(status = API.Status.INTERNAL)
@Command(
        name = "testbed",
        mixinStandardHelpOptions = true,
        versionProvider = TestbedCli.Version.class,
        description = "Looks after what Testbed runs on this host: its prerequisites, its environments (machines, "
                + "networks, leases) and what crashed runs left behind.",
        footer = {
            "",
            "Configuration keys (testbed.lease.dir, testbed.libvirt.uri, …) come from -D options of each command or "
                    + "from system properties; the defaults are the ones tests use."
        },
        subcommands = {
            DoctorCommand.class,
            LsCommand.class,
            LogsCommand.class,
            SshCommand.class,
            DestroyCommand.class,
            JanitorCommand.class,
            ReportCommand.class,
            AutoComplete.GenerateCompletion.class
        })
public final class TestbedCli implements Runnable {

    /** Exit status of a command that could not do what it was asked. */
    static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line in this JVM, writing to standard output and error, and returns its exit status. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with Testbed's error handling: a failure is one message, not a stack trace. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new TestbedCli());
        // `testbed ssh ENV MACHINE ls -l /`: everything after the machine is the remote command, options included
        commandLine.getSubcommands().get("ssh").setStopAtPositional(true);
        commandLine.setExecutionExceptionHandler((failure, cli, parsed) -> {
            PrintWriter err = cli.getErr();
            if (failure instanceof TestbedException || failure instanceof IllegalArgumentException) {
                err.println("testbed " + cli.getCommandName() + ": " + failure.getMessage());
            } else {
                err.println("testbed " + cli.getCommandName() + ": unexpected failure: " + failure);
                failure.printStackTrace(err);
            }
            err.flush();
            return FAILED;
        });
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest (Maven's project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TestbedCli.class.getPackage().getImplementationVersion();
            return new String[] {"testbed " + (version == null ? "(development build)" : version)};
        }
    }
}
