package io.testbed.junit;

import io.testbed.core.ExecResult;
import io.testbed.core.Machine;
import org.apiguardian.api.API;
import org.assertj.core.api.Assertions;

/**
 * The one entry point of assertions in a Testbed test: AssertJ's {@link Assertions} (which this class extends,
 * as AssertJ recommends for custom assertions) plus Testbed's, so one static import serves both:
 * <pre>{@code
 * import static io.testbed.junit.TestbedAssertions.assertThat;
 *
 * assertThat(web.run("curl -s localhost:8080")).succeeded().stdoutContains("hello");
 * assertThat(web).canReach(db, lan).hasFile("/etc/hostname");
 * assertThat(job.passed()).isTrue();   // AssertJ's own, through the same import
 * }</pre>
 * Failure messages show the command, its exit code and its output, so a failed assertion explains itself.
 */
@API(status = API.Status.EXPERIMENTAL)
public class TestbedAssertions extends Assertions {

    /** Not instantiated; extendable as {@link Assertions} is, to add a project's own assertions. */
    protected TestbedAssertions() {}

    /** Assertions on a command's result. */
    public static ExecResultAssert assertThat(ExecResult actual) {
        return new ExecResultAssert(actual);
    }

    /** Assertions on a machine; each runs commands on it. */
    public static MachineAssert assertThat(Machine actual) {
        return new MachineAssert(actual);
    }
}
