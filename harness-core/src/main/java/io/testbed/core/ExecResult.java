package io.testbed.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.testbed.core.internal.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The outcome of a command run on a {@link Machine}: exit code, captured output and wall time.
 *
 * <p>A result is a plain value; it never throws on a non-zero exit code by itself. Use
 * {@link Machine#runOk(String)}, {@link RunOptions#expectSuccess()} or {@link RunOptions#expectFailure()} to make
 * the run throw, or the AssertJ assertions to check it in a test. Standard output that is JSON parses into Java
 * types with {@link #stdoutAs(Class)} and {@link #stdoutAsMap()}.
 *
 * @param machine  the name of the machine the command ran on
 * @param command  the command line as given
 * @param exitCode the exit status of the remote command
 * @param stdout   everything the command wrote to standard output (UTF-8)
 * @param stderr   everything the command wrote to standard error (UTF-8)
 * @param duration the wall time from sending the command to receiving its exit status
 */
@API(status = API.Status.EXPERIMENTAL)
public record ExecResult(
        String machine, String command, int exitCode, String stdout, String stderr, Duration duration) {

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
     * Parses standard output as JSON into {@code type}: a record or class with matching properties (unknown ones are
     * ignored), a {@code List}, a {@code String}, a number; JSON objects become {@code Map}s and arrays
     * {@code List}s where the type leaves it open ({@code Object.class}).
     *
     * @throws UncheckedIOException naming the command, the machine and the type when stdout is not JSON for it
     */
    public <T> T stdoutAs(Class<T> type) {
        Objects.requireNonNull(type, "type");
        try {
            return Json.mapper().readValue(stdout, type);
        } catch (IOException e) {
            throw notJson(type.getSimpleName(), e);
        }
    }

    /**
     * Parses standard output as one JSON object, e.g. {@code {"name":"box","ports":[22,80]}} into a map of
     * {@code "name" -> "box"} and {@code "ports" -> List.of(22, 80)}, in the order written.
     *
     * @throws UncheckedIOException naming the command and the machine when stdout is not a JSON object
     */
    public Map<String, Object> stdoutAsMap() {
        try {
            return Json.mapper().readValue(stdout, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw notJson("a JSON object", e);
        }
    }

    private UncheckedIOException notJson(String what, IOException e) {
        String why = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
        return new UncheckedIOException(
                "stdout of '" + command + "' on machine '" + machine + "' is not JSON for " + what + ": " + why, e);
    }

    /** A one-line summary suitable for logs and assertion messages. */
    public String summary() {
        return "'" + command + "' on " + machine + " exited " + exitCode + " after " + duration.toMillis() + " ms";
    }
}
