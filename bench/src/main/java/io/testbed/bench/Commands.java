package io.testbed.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs small host commands (version queries, {@code virsh list}) and returns what they print. */
final class Commands {

    private Commands() {}

    /** A finished command: its exit status and its standard output and error, merged. */
    record Outcome(int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code command} and waits at most {@code timeout}.
     *
     * @throws BenchException when it cannot be started or outlives the timeout (it is killed then)
     */
    static Outcome run(Duration timeout, String... command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new BenchException("Cannot start `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        }
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new BenchException("`" + String.join(" ", command) + "` did not finish within "
                        + timeout.toSeconds() + " s");
            }
            return new Outcome(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            process.destroyForcibly();
            throw new BenchException("Cannot read the output of `" + String.join(" ", command) + "`: " + e, e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BenchException("Interrupted while `" + String.join(" ", command) + "` ran", e);
        }
    }

    /** The first line {@code command} prints when it succeeds, else {@code "unknown (…)"} saying why. */
    static String firstLine(String... command) {
        try {
            Outcome outcome = run(Duration.ofSeconds(20), command);
            List<String> lines = outcome.output().lines().filter(line -> !line.isBlank()).toList();
            if (!outcome.succeeded() || lines.isEmpty()) {
                return "unknown (`" + String.join(" ", command) + "` exited " + outcome.exitCode() + ")";
            }
            return lines.get(0).strip();
        } catch (BenchException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
