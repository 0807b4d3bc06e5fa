package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Error messages of external commands: the command, its exit code, the tail of stderr, what to do. */
class ExternalCommandTest {

    @Test
    void failureNamesCommandExitCodeAndStderrTail() {
        assertThatThrownBy(() -> ExternalCommand.of("sh", "-c", "echo progress; echo 'disk full' >&2; exit 3").run())
                .isInstanceOf(TemplateException.class)
                .hasMessage("Command `sh -c echo progress; echo 'disk full' >&2; exit 3` failed with exit code 3; "
                        + "stderr ends with:\ndisk full");
    }

    @Test
    void missingProgramSaysWhatToInstall() {
        assertThatThrownBy(() -> ExternalCommand.of("testbed-no-such-program", "x").run())
                .hasMessageStartingWith("Command `testbed-no-such-program x` could not be started")
                .hasMessageEndingWith("Check that it is installed and on PATH.");
    }

    @Test
    void longStderrIsCutToItsTail() {
        String message = catchMessage(ExternalCommand.of("sh", "-c", "for i in $(seq 1 2000); do echo line$i >&2; done; exit 1"));
        assertThat(message).contains("line2000").doesNotContain("line1\n").contains("…");
    }

    @Test
    void commandOutlivingItsTimeoutIsKilled() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ExternalCommand.of("sleep", "30").timeout(Duration.ofMillis(300)).run())
                .hasMessageContaining("Command `sleep 30` did not finish within 0.3 s and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void stdoutLinesAreStreamedAndCollected() {
        List<String> lines = new ArrayList<>();
        ExternalCommand.Result result = ExternalCommand.of("sh", "-c", "echo one; echo two").streamStdout(lines::add).run();
        assertThat(lines).containsExactly("one", "two");
        assertThat(result.stdout()).isEqualTo("one\ntwo\n");
        assertThat(result.exitCode()).isZero();
    }

    private static String catchMessage(ExternalCommand command) {
        try {
            command.run();
            throw new AssertionError("expected a failure");
        } catch (TemplateException e) {
            return e.getMessage();
        }
    }
}
