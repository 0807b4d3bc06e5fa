package io.testbed.cli;

import io.testbed.core.internal.support.LocalCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the built command, {@code target/testbed-cli.jar}, as a user runs it: a JVM of its own, the environment of
 * this one (Failsafe's Testcontainers variables included) plus {@code environment}.
 */
final class Cli {

    static final Path JAR = Path.of("target/testbed-cli.jar").toAbsolutePath();

    private Cli() {}

    /** How a run of the command ended. */
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    static Run run(Map<String, String> environment, String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the ITs run after `package` (mvn verify)");
        }
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        LocalCommand run = LocalCommand.of(command).timeout(Duration.ofMinutes(3));
        environment.forEach(run::env);
        LocalCommand.Result result = run.run();
        return new Run(result.exitCode(), result.stdout(), result.stderr());
    }

    /** Docker objects labelled with the prefix {@code prefixId}: containers, networks, images (docker CLI). */
    static List<String> dockerObjects(String prefixId) {
        List<String> found = new ArrayList<>();
        String label = "label=io.testbed.prefix.id=" + prefixId;
        for (List<String> list : List.of(
                List.of("docker", "ps", "-aq", "--filter", label),
                List.of("docker", "network", "ls", "-q", "--filter", label),
                List.of("docker", "images", "-q", "--filter", label))) {
            LocalCommand.Result result =
                    LocalCommand.of(list).timeout(Duration.ofMinutes(1)).check("list Docker objects");
            result.stdout().lines().filter(line -> !line.isBlank()).forEach(id -> found.add(list.get(1) + " " + id));
        }
        return found;
    }
}
