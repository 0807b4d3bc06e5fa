package io.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.images.Template;
import io.testbed.images.TemplateException;
import io.testbed.images.TemplateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bare-QEMU anchor's failure paths, with the real tiny template and QEMU. */
class BareQemuIT {

    private static Template tiny;

    @BeforeAll
    static void resolveTiny() {
        tiny = TemplateStore.openDefault(line -> System.out.println("[store] " + line))
                .resolve(TemplateStore.TINY);
    }

    private static List<Path> bareQemuTempDirectories() throws IOException {
        try (Stream<Path> children = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return children.filter(path -> path.getFileName().toString().startsWith("testbed-bareqemu-"))
                    .toList();
        }
    }

    private static boolean qemuRunningFor(String hostname) {
        return ProcessHandle.allProcesses()
                .anyMatch(process -> process.info()
                        .commandLine()
                        .map(line -> line.contains("testbed-bareqemu-" + hostname + " "))
                        .orElse(false));
    }

    @Test
    void initramfsErrorFailsFastWithTheConsoleTailAndLeavesNothing() throws IOException {
        List<Path> before = bareQemuTempDirectories();
        Template wrongRoot = new Template(
                "tiny-with-wrong-root",
                Template.Kind.BUILT,
                tiny.disk(),
                tiny.diskFormat(),
                tiny.kernel(),
                tiny.initrd(),
                Optional.of("console=ttyS0 root=LABEL=no-such-root quiet panic=-1"),
                tiny.manifest());
        long start = System.nanoTime();
        assertThatThrownBy(() -> new BareQemu(System.out::println)
                        .boot(
                                wrongRoot,
                                BareQemu.Options.defaults()
                                        .withHostname("wrong-root")
                                        .withBootTimeout(Duration.ofSeconds(120))))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("Bare QEMU boot of template tiny-with-wrong-root failed")
                .hasMessageContaining("Console tail:")
                .hasMessageContaining("TESTBED-INITRAMFS-ERROR: root device LABEL=no-such-root did not appear");
        System.out.printf("[timing] wrong root detected after %.1f s%n", (System.nanoTime() - start) / 1e9);
        assertThat(bareQemuTempDirectories()).isEqualTo(before);
        assertThat(qemuRunningFor("wrong-root")).isFalse();
    }

    @Test
    void bootTimeoutKillsQemuAndReportsTheConsoleTail() throws IOException {
        List<Path> before = bareQemuTempDirectories();
        assertThatThrownBy(() -> new BareQemu(System.out::println)
                        .boot(
                                tiny,
                                BareQemu.Options.defaults()
                                        .withHostname("too-impatient")
                                        .withBootTimeout(Duration.ofSeconds(2))))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("the guest did not print TESTBED-READY on its console within 2 s")
                .hasMessageContaining("Console tail:");
        assertThat(bareQemuTempDirectories()).isEqualTo(before);
        assertThat(qemuRunningFor("too-impatient")).isFalse();
    }
}
