package io.testbed.junit;

import io.testbed.core.ExecResult;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on an {@link ExecResult}; obtain with {@link TestbedAssertions#assertThat(ExecResult)}.
 * Every failure message names the command and its machine and shows the exit code and the output:
 * <pre>
 * Expecting command:
 *   'systemctl start web' on web
 * to succeed but exit code was:
 *   3
 * stdout:
 *   …
 * stderr:
 *   Failed to start web.service
 * </pre>
 */
@API(status = API.Status.EXPERIMENTAL)
public final class ExecResultAssert extends AbstractAssert<ExecResultAssert, ExecResult> {

    ExecResultAssert(ExecResult actual) {
        super(actual, ExecResultAssert.class);
    }

    /** The command exited with status 0. */
    public ExecResultAssert succeeded() {
        isNotNull();
        if (!actual.succeeded()) {
            throw failure(
                    "%nExpecting command:%n  %s%nto succeed but exit code was:%n  %s%nstdout:%n%s%nstderr:%n%s",
                    command(), actual.exitCode(), indent(actual.stdout()), indent(actual.stderr()));
        }
        return myself;
    }

    /** The command exited with a non-zero status. */
    public ExecResultAssert failed() {
        isNotNull();
        if (actual.succeeded()) {
            throw failure(
                    "%nExpecting command:%n  %s%nto fail but it succeeded (exit code 0)%nstdout:%n%s%nstderr:%n%s",
                    command(), indent(actual.stdout()), indent(actual.stderr()));
        }
        return myself;
    }

    /** The command exited with exactly status {@code exitCode}. */
    public ExecResultAssert failedWithExitCode(int exitCode) {
        isNotNull();
        if (actual.exitCode() != exitCode) {
            throw failure(
                    "%nExpecting command:%n  %s%nto exit with code:%n  %s%nbut exit code was:%n  %s%nstdout:%n%s"
                            + "%nstderr:%n%s",
                    command(), exitCode, actual.exitCode(), indent(actual.stdout()), indent(actual.stderr()));
        }
        return myself;
    }

    /** Standard output contains {@code expected}. */
    public ExecResultAssert stdoutContains(String expected) {
        isNotNull();
        if (!actual.stdout().contains(expected)) {
            throw failure(
                    "%nExpecting stdout of command:%n  %s%nto contain:%n  %s%nbut was:%n%s%nexit code:%n  %s"
                            + "%nstderr:%n%s",
                    command(), quote(expected), indent(actual.stdout()), actual.exitCode(), indent(actual.stderr()));
        }
        return myself;
    }

    /** Standard error contains {@code expected}. */
    public ExecResultAssert stderrContains(String expected) {
        isNotNull();
        if (!actual.stderr().contains(expected)) {
            throw failure(
                    "%nExpecting stderr of command:%n  %s%nto contain:%n  %s%nbut was:%n%s%nexit code:%n  %s"
                            + "%nstdout:%n%s",
                    command(), quote(expected), indent(actual.stderr()), actual.exitCode(), indent(actual.stdout()));
        }
        return myself;
    }

    /**
     * Standard output equals {@code expected}, trailing line breaks ignored on both sides (commands end their
     * output with one): {@code hasStdout("hello")} holds for {@code echo hello}.
     */
    public ExecResultAssert hasStdout(String expected) {
        isNotNull();
        if (!trimLineBreaks(actual.stdout()).equals(trimLineBreaks(expected))) {
            throw failure(
                    "%nExpecting stdout of command:%n  %s%nto be:%n  %s%nbut was:%n  %s%nexit code:%n  %s"
                            + "%nstderr:%n%s",
                    command(),
                    quote(trimLineBreaks(expected)),
                    quote(trimLineBreaks(actual.stdout())),
                    actual.exitCode(),
                    indent(actual.stderr()));
        }
        return myself;
    }

    private String command() {
        return "'" + actual.command() + "' on " + actual.machine();
    }

    static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static String trimLineBreaks(String text) {
        return text.replaceAll("[\\r\\n]+$", "");
    }

    /** Output indented by two spaces, at most the last 4000 characters; {@code (empty)} for none. */
    static String indent(String text) {
        if (text.isBlank()) {
            return "  (empty)";
        }
        String tail = text.length() > 4000 ? "…" + text.substring(text.length() - 4000) : text;
        return "  " + trimLineBreaks(tail).replace("\n", System.lineSeparator() + "  ");
    }
}
