package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCommandTest {

    @TempDir
    Path dir;

    @Test
    void returnsOutputAndExitStatus() {
        List<String> lines = new CopyOnWriteArrayList<>();
        LocalCommand.Result result = LocalCommand.of("/bin/sh", "-c", "echo out; echo err >&2; echo \"$X\"; exit 3")
                .env("X", "from env")
                .onStdoutLine(lines::add)
                .run();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\nfrom env\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(lines).containsExactly("out", "from env");
    }

    @Test
    void checkNamesTheCommandTheStatusAndStderr() {
        assertThatThrownBy(() -> LocalCommand.of("/bin/sh", "-c", "echo broken >&2; exit 2")
                        .check("break"))
                .isInstanceOf(LocalCommand.FailedException.class)
                .hasMessage("Cannot break: `/bin/sh -c echo broken >&2; exit 2` exited with 2; stderr ends with:\n"
                        + "broken");
    }

    @Test
    void killsAProgramThatOutlivesItsTimeout() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> LocalCommand.of("sleep", "30")
                        .timeout(Duration.ofMillis(300))
                        .run())
                .isInstanceOf(LocalCommand.FailedException.class)
                .hasMessageStartingWith("`sleep 30` did not finish within 0.3 s and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void namesAMissingProgramWithTheHint() {
        assertThatThrownBy(() -> LocalCommand.of("no-such-program-tb")
                        .installHint("install tb-tools")
                        .run())
                .isInstanceOf(LocalCommand.FailedException.class)
                .hasMessageStartingWith("`no-such-program-tb` could not be started: ")
                .hasMessageEndingWith("; install tb-tools.");
    }

    @Test
    void redirectsFilesAndMergesStreams() throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "from a file\n");
        Path out = dir.resolve("out");
        LocalCommand.of("cat").stdinFrom(in).stdoutTo(out).in(dir).check("copy");
        assertThat(Files.readString(out)).isEqualTo("from a file\n");
        assertThat(LocalCommand.of("/bin/sh", "-c", "echo a; echo b >&2")
                        .mergeStderr()
                        .run()
                        .stdout())
                .isEqualTo("a\nb\n");
    }
}
