package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.internal.support.LocalCommand;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The module's programs fail as {@link TemplateException}s naming the command, its exit code, stderr, what to do. */
class ProgramsTest {

    @Test
    void failureNamesWhatCommandExitCodeAndStderrTail() {
        assertThatThrownBy(() -> Programs.check(
                        Programs.of("sh", "-c", "echo progress; echo 'disk full' >&2; exit 3"), "fill the disk"))
                .isInstanceOf(TemplateException.class)
                .hasCauseInstanceOf(LocalCommand.FailedException.class)
                .hasMessage("Cannot fill the disk: `sh -c echo progress; echo 'disk full' >&2; exit 3` exited with 3; "
                        + "stderr ends with:\ndisk full");
    }

    @Test
    void missingProgramOfAKnownPackageSaysWhichPackageToInstall() {
        assertThatThrownBy(() -> Programs.run(Programs.of("/nonexistent/genisoimage", "x")))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("`/nonexistent/genisoimage x` could not be started")
                .hasMessageEndingWith("install it (Debian package genisoimage).");
    }

    @Test
    void missingUnknownProgramSaysToCheckPath() {
        assertThatThrownBy(() -> Programs.run(Programs.of("testbed-no-such-program", "x")))
                .isInstanceOf(TemplateException.class)
                .hasMessageEndingWith("check that testbed-no-such-program is installed and on PATH.");
    }

    @Test
    void commandOutlivingItsTimeoutIsKilled() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Programs.run(Programs.of("sleep", "30").timeout(Duration.ofMillis(300))))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("`sleep 30` did not finish within 0.3 s and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void failingExitStatusIsReturnedByRun() {
        assertThat(Programs.run(Programs.of("sh", "-c", "exit 4")).exitCode()).isEqualTo(4);
    }
}
