package io.testbed.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The outcome of a command run on a {@link Machine}: exit code, captured output and wall time.
 *
 * <p>A result is a plain value; it never throws on a non-zero exit code by itself. Use
 * {@link RunOptions#expectSuccess()} / {@link RunOptions#expectFailure()} to make
 * {@link Machine#run(String, RunOptions)} throw, or the AssertJ assertions to check it in a test.
 *
 * @param machine  the name of the machine the command ran on
 * @param command  the command line as given
 * @param exitCode the exit status of the remote command
 * @param stdout   everything the command wrote to standard output (UTF-8)
 * @param stderr   everything the command wrote to standard error (UTF-8)
 * @param duration the wall time from sending the command to receiving its exit status
 */
@API(status = API.Status.EXPERIMENTAL)
public record ExecResult(String machine, String command, int exitCode, String stdout, String stderr, Duration duration) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ExecResult {
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(command, "command");
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
        Objects.requireNonNull(duration, "duration");
    }

    /** Whether the command exited with status 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /**
     * Parses standard output as JSON.
     *
     * @throws UncheckedIOException naming the command when stdout is not valid JSON
     */
    public JsonNode json() {
        return json(JsonNode.class);
    }

    /**
     * Parses standard output as JSON into {@code type} (a record, a POJO, a {@code Map}, ...).
     *
     * @throws UncheckedIOException naming the command when stdout is not valid JSON for the type
     */
    public <T> T json(Class<T> type) {
        try {
            return JSON.readValue(stdout, type);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(
                    "stdout of '" + command + "' on machine '" + machine + "' is not JSON for " + type.getSimpleName()
                            + ": " + e.getMessage(), e);
        }
    }

    /** A one-line summary suitable for logs and assertion messages. */
    public String summary() {
        return "'" + command + "' on " + machine + " exited " + exitCode + " after " + duration.toMillis() + " ms";
    }
}
