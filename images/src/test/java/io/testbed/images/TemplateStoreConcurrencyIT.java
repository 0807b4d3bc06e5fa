package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several JVMs ask the same store for the same template at once: one builds, the others wait and reuse. */
class TemplateStoreConcurrencyIT {

    @TempDir
    Path root;

    @Test
    void threeJvmsResolvingAtOnceBuildOnce() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(new ProcessBuilder(
                            java,
                            "-cp",
                            System.getProperty("java.class.path"),
                            ConcurrentResolveMain.class.getName(),
                            root.toString())
                    .redirectErrorStream(true)
                    .start());
        }
        int builds = 0;
        List<String> disks = new ArrayList<>();
        StringBuilder output = new StringBuilder();
        for (Process process : processes) {
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            output.append(text);
            assertThat(process.exitValue()).as(text).isZero();
            for (String line : text.lines().toList()) {
                if (line.startsWith("BUILDS=")) {
                    builds += Integer.parseInt(line.substring("BUILDS=".length()));
                } else if (line.startsWith("DISK=")) {
                    disks.add(line.substring("DISK=".length()));
                }
            }
        }
        System.out.println(output);
        assertThat(builds).as(output.toString()).isEqualTo(1);
        assertThat(disks).hasSize(3).containsOnly(disks.get(0));
        assertThat(output.toString()).contains("another process is building it");
    }
}
