package io.testbed.core;

import java.time.Duration;
import org.apiguardian.api.API;

/** A command ran longer than its timeout; the remote command and everything it started were killed. */
@API(status = API.Status.EXPERIMENTAL)
public class CommandTimeoutException extends TestbedException {
    private static final long serialVersionUID = 1L;
    private final String partialStdout;
    private final String partialStderr;

    public CommandTimeoutException(
            String machine, String command, Duration timeout, String partialStdout, String partialStderr) {
        this(
                machine,
                command,
                timeout,
                partialStdout,
                partialStderr,
                "was killed; raise RunOptions.timeout if it needs longer");
    }

    /**
     * A timeout whose consequence differs from "the remote command and its children were killed", e.g. a
     * {@link Job#waitFor} that leaves the job running, or a kill that could not be confirmed.
     *
     * @param aftermath what became of the command and what to do next, completing "'cmd' on m did not finish
     *                  within N ms and …"
     */
    public CommandTimeoutException(
            String machine,
            String command,
            Duration timeout,
            String partialStdout,
            String partialStderr,
            String aftermath) {
        super(String.format(
                "'%s' on %s did not finish within %d ms and %s%nstdout so far:%n%s%nstderr so far:%n%s",
                command,
                machine,
                timeout.toMillis(),
                aftermath,
                CommandFailedException.indent(partialStdout),
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
