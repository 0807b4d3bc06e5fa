package io.testbed.junit;

import io.testbed.core.ExecResult;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestNetwork;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.ShellQuoting;
import java.time.Duration;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on a {@link Machine}; obtain with {@link TestbedAssertions#assertThat(Machine)}. Each check
 * runs a short command on the machine (so it needs {@code sh}, {@code test} and {@code ping}, which every Testbed
 * template has) and puts the command's output into the failure message.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class MachineAssert extends AbstractAssert<MachineAssert, Machine> {

    private static final RunOptions CHECK =
            RunOptions.builder().timeout(Duration.ofSeconds(30)).build();

    MachineAssert(Machine actual) {
        super(actual, MachineAssert.class);
    }

    /**
     * The machine reaches {@code other}'s address on {@code network}: one {@code ping} answered within 2 seconds.
     */
    public MachineAssert canReach(Machine other, TestNetwork network) {
        isNotNull();
        String address = other.address(network).getHostAddress();
        ExecResult result = run("ping -c 1 -W 2 " + address);
        if (!result.succeeded()) {
            throw failure(
                    "%nExpecting machine:%n  %s%nto reach:%n  %s (%s) on network %s%nbut '%s' exited %s:%n%s",
                    actual.name(),
                    other.name(),
                    address,
                    network.name(),
                    result.command(),
                    result.exitCode(),
                    ExecResultAssert.indent(result.stdout() + result.stderr()));
        }
        return myself;
    }

    /** A file, directory or other file system entry exists at {@code path} on the machine. */
    public MachineAssert hasFile(String path) {
        isNotNull();
        ExecResult result = run("test -e " + ShellQuoting.quote(path));
        if (!result.succeeded()) {
            throw failure(
                    "%nExpecting machine:%n  %s%nto have file:%n  %s%nbut it does not exist", actual.name(), path);
        }
        return myself;
    }

    /** The machine answers a command ({@code true}) at all. */
    public MachineAssert answers() {
        isNotNull();
        ExecResult result;
        try {
            result = run("true");
        } catch (TestbedException e) {
            throw failure("%nExpecting machine:%n  %s%nto answer a command but:%n  %s", actual.name(), e.getMessage());
        }
        if (!result.succeeded()) {
            throw failure(
                    "%nExpecting machine:%n  %s%nto answer a command but 'true' exited %s:%n%s",
                    actual.name(), result.exitCode(), ExecResultAssert.indent(result.stdout() + result.stderr()));
        }
        return myself;
    }

    private ExecResult run(String command) {
        return actual.run(command, CHECK);
    }
}
