package io.testbed.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

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
 * The README's first command on a fresh Debian 12 machine, as CI proves it on every run.
 *
 * <p>Shows:
 * <ul>
 *   <li>{@code scripts/test-fresh-machine.sh} builds (or reuses) a minimal Debian root file system,
 *       runs it as an isolated container with no sudo, no systemd, no Docker bridge, no kvm group,
 *       no QEMU user and no sshd host keys, copies this checkout in and runs
 *       {@code bash scripts/setup-host.sh} exactly as the README has it (with {@code --run-example}
 *       unless {@code testbed.it.freshMachine=set-up});</li>
 *   <li>afterwards {@code --check} is green, a second run changes nothing, a step made to fail
 *       ({@code TESTBED_SETUP_FAIL_AT}) prints the step, command, line and log, and a non-root user is
 *       refused with the way to run it;</li>
 *   <li>nothing of it is left on the host but the cached root file system.</li>
 * </ul>
 * The script's whole output is in {@code target/fresh-machine.log} and on the console.
 */
class FreshMachineIT {

    @Test
    void readmeFirstCommandSetsUpAFreshDebianMachine() throws IOException, InterruptedException {
        String mode = System.getProperty("testbed.it.freshMachine", "main-job");
        assumeFalse(mode.equals("off"), "testbed.it.freshMachine=off");
        assertThat(mode).as("testbed.it.freshMachine").isIn("set-up", "main-job", "off");
        Path repository = Path.of(System.getProperty("testbed.it.repository", ".."))
                .toAbsolutePath()
                .normalize();
        List<String> command = new ArrayList<>(List.of(
                "bash", repository.resolve("scripts/test-fresh-machine.sh").toString()));
        if (mode.equals("main-job")) {
            command.add("--run-example");
        }
        Path log = Path.of("target", "fresh-machine.log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .directory(repository.toFile())
                .redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader output =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                var file = Files.newBufferedWriter(log)) {
            for (String line; (line = output.readLine()) != null; ) {
                System.out.println(line);
                file.write(line);
                file.newLine();
                file.flush();
                lines.add(line);
            }
        }
        int exit = process.waitFor();

        assertThat(lines).as("output of %s", command).noneMatch(line -> line.contains("FAILED"));
        assertThat(lines).anyMatch(line -> line.startsWith("[fresh-machine] passed in "));
        assertThat(exit)
                .as("exit status of %s (output in %s)", command, log.toAbsolutePath())
                .isZero();
    }
}
