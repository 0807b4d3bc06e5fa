package io.testbed.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use Testbed in your project", done as a user does it: the starter project in
 * {@code examples/starter} (not a module of this reactor) passes against the artifacts a {@code mvn install} of
 * this checkout put into the local repository.
 *
 * <p>Shows:
 * <ul>
 *   <li>{@code mvn install -DskipTests} of the checkout (without the modules that are only tests of it) installs
 *       the BOM and every artifact the starter's {@code pom.xml} names;</li>
 *   <li>{@code mvn verify} in {@code examples/starter} compiles {@code com.example.FirstVmIT} and Failsafe runs
 *       its two tests on a real VM, both passing.</li>
 * </ul>
 * The output of both builds is in {@code target/starter-install.log} and {@code target/starter-verify.log}.
 *
 * <p>Both builds use {@code ~/.m2/repository}, as a user's would. On a host where other builds install Testbed
 * there at the same time (a replaced jar fails the starter's tests with {@code NoClassDefFoundError}), give them a
 * local repository of their own with {@code -Dtestbed.it.starter.repoLocal=DIR}: it is passed on to both as
 * {@code maven.repo.local}, and it must already hold the third-party artifacts when Maven runs offline.
 */
class StarterProjectIT {

    @Test
    void theStarterProjectPassesAgainstTheInstalledArtifacts() throws IOException, InterruptedException {
        Path repository = Path.of(System.getProperty("testbed.it.repository", ".."))
                .toAbsolutePath()
                .normalize();

        List<String> install = maven(
                "-o",
                "-q",
                "install",
                "-DskipTests",
                "-pl",
                "!host-setup-tests,!architecture-tests,!example-tests,!bench");
        Run installed = run(install, repository, Path.of("target", "starter-install.log"));
        assertThat(installed.exit())
                .as(
                        "exit status of %s in %s (output in %s)",
                        install, repository, installed.log().toAbsolutePath())
                .isZero();

        List<String> verify = maven("verify");
        Path starter = repository.resolve("examples/starter");
        Run verified = run(verify, starter, Path.of("target", "starter-verify.log"));
        assertThat(verified.lines())
                .as("output of %s in %s", verify, starter)
                .anyMatch(line -> line.contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0")
                        && line.contains("in com.example.FirstVmIT"))
                .anyMatch(line -> line.contains("BUILD SUCCESS"));
        assertThat(verified.exit())
                .as(
                        "exit status of %s in %s (output in %s)",
                        verify, starter, verified.log().toAbsolutePath())
                .isZero();
    }

    /** {@code mvn -B -ntp ARGUMENTS}, with the local repository of {@code testbed.it.starter.repoLocal} if set. */
    private static List<String> maven(String... arguments) {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp"));
        String repoLocal = System.getProperty("testbed.it.starter.repoLocal", "");
        if (!repoLocal.isBlank()) {
            command.add("-Dmaven.repo.local=" + Path.of(repoLocal).toAbsolutePath());
        }
        command.addAll(List.of(arguments));
        return command;
    }

    record Run(int exit, List<String> lines, Path log) {}

    /** Runs {@code command} in {@code directory}, echoing its output and keeping it in {@code log}. */
    private static Run run(List<String> command, Path directory, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        try (BufferedReader output =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                var file = Files.newBufferedWriter(log)) {
            for (String line; (line = output.readLine()) != null; ) {
                System.out.println(line);
                file.write(line);
                file.newLine();
                lines.add(line);
            }
        }
        return new Run(process.waitFor(), lines, log);
    }
}
