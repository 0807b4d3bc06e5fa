package io.testbed.core;

import java.time.Duration;
import org.apiguardian.api.API;

/** A command ran longer than its timeout; its remote process group was killed. */
@API(status = API.Status.EXPERIMENTAL)
public class CommandTimeoutException extends TestbedException {
    private static final long serialVersionUID = 1L;
    private final String partialStdout;
    private final String partialStderr;

    public CommandTimeoutException(String machine, String command, Duration timeout, String partialStdout,
            String partialStderr) {
        super(String.format("'%s' on %s did not finish within %d ms and was killed; raise RunOptions.timeout if it"
                        + " needs longer%nstdout so far:%n%s%nstderr so far:%n%s",
                command, machine, timeout.toMillis(), CommandFailedException.indent(partialStdout),
                CommandFailedException.indent(partialStderr)));
        this.partialStdout = partialStdout;
        this.partialStderr = partialStderr;
    }

    public String partialStdout() {
        return partialStdout;
    }

    public String partialStderr() {
        return partialStderr;
    }
}
