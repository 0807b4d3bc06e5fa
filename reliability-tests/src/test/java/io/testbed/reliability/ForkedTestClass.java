package io.testbed.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real test class run in its own JVM ({@link VictimMain}) with its own prefix root and temporary directory under
 * {@code run}, its output in {@code run/victim.log}: what a user's build is, so that it can be killed or run eight
 * times at once.
 *
 * @param run     the directory of this run
 * @param process the JVM
 */
record ForkedTestClass(Path run, Process process) {

    /** Starts {@code testClass} in a new JVM with the prefix root {@link #root(Path) root(run)}. */
    static ForkedTestClass start(Path run, Class<?> testClass) throws IOException {
        return start(run, testClass, Map.of());
    }

    /**
     * As {@link #start(Path, Class)}, with {@code environment} added to the JVM's environment (e.g. {@code
     * DOCKER_HOST}); the test class finds {@code run} in the system property {@link #RUN_PROPERTY}.
     */
    static ForkedTestClass start(Path run, Class<?> testClass, Map<String, String> environment) throws IOException {
        Files.createDirectories(tmp(run));
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", // no hsperfdata file in java.io.tmpdir: that directory counts stray files
                "-Djava.io.tmpdir=" + tmp(run),
                "-Djna.tmpdir=" + run.resolve("jna"),
                "-Dtestbed.prefix.root=" + root(run),
                "-Dtestbed.report.enabled=false",
                "-D" + RUN_PROPERTY + "=" + run,
                "-cp",
                System.getProperty("java.class.path"),
                VictimMain.class.getName(),
                testClass.getName());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(run.resolve("victim.log").toFile());
        builder.environment().putAll(environment);
        return new ForkedTestClass(run, builder.start());
    }

    /** The system property naming the run's directory in the forked JVM (files for hand-shakes with the IT). */
    static final String RUN_PROPERTY = "testbed.it.run";

    /** The prefix root of the run's environments. */
    static Path root(Path run) {
        return run.resolve("prefixes");
    }

    /** The forked JVM's {@code java.io.tmpdir}: whatever stays there after it died is a stray file. */
    static Path tmp(Path run) {
        return run.resolve("tmp");
    }

    /** The exit code, or "running". */
    String exit() {
        return process.isAlive() ? "running" : String.valueOf(process.exitValue());
    }

    /** The last 40 lines of the JVM's output. */
    String logTail() {
        try (Stream<String> lines = Files.lines(run.resolve("victim.log"))) {
            List<String> all = lines.toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
