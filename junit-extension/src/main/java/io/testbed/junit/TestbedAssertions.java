package io.testbed.junit;

import io.testbed.core.ExecResult;
import io.testbed.core.Machine;
import org.apiguardian.api.API;

/**
 * The entry point of Testbed's AssertJ assertions:
 * <pre>{@code
 * import static io.testbed.junit.TestbedAssertions.assertThat;
 *
 * assertThat(web.run("curl -s localhost:8080")).succeeded().stdoutContains("hello");
 * assertThat(web).canReach(db, lan).hasFile("/etc/hostname");
 * }</pre>
 * Failure messages show the command, its exit code and its output, so a failed assertion explains itself.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class TestbedAssertions {

    private TestbedAssertions() {}

    /** Assertions on a command's result. */
    public static ExecResultAssert assertThat(ExecResult actual) {
        return new ExecResultAssert(actual);
    }

    /** Assertions on a machine; each runs commands on it. */
    public static MachineAssert assertThat(Machine actual) {
        return new MachineAssert(actual);
    }
}
