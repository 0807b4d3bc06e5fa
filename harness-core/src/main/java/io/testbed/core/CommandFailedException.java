package io.testbed.core;

import org.apiguardian.api.API;

/** A command's exit status did not match what {@link RunOptions#expectation()} asked for. */
@API(status = API.Status.EXPERIMENTAL)
public class CommandFailedException extends TestbedException {
    private static final long serialVersionUID = 1L;
    private final transient ExecResult result;

    public CommandFailedException(ExecResult result, RunOptions.Expectation expectation) {
        super(String.format(
                "Expected %s of %s%nstdout:%n%s%nstderr:%n%s",
                expectation == RunOptions.Expectation.FAILURE ? "failure" : "success",
                result.summary(),
                indent(result.stdout()),
                indent(result.stderr())));
        this.result = result;
    }

    /** The result that did not match. */
    public ExecResult result() {
        return result;
    }

    static String indent(String text) {
        String tail = text.length() > 4000 ? "…" + text.substring(text.length() - 4000) : text;
        return "  " + tail.strip().replace("\n", "\n  ");
    }
}
