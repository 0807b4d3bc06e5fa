package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLogTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-31T10:15:02.481Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void writesOneLinePerEntryWithEnvironmentNamesOnly() throws Exception {
        Path file = dir.resolve("logs/commands.log");
        CommandLog log = CommandLog.appendingTo(file, CLOCK);
        log.record("web", "run", "exit=0", Duration.ofMillis(3), Optional.of("/srv"), List.of("TOKEN", "A"),
                "curl -s localhost:8080");
        log.record("db", "run", "exit=1", Duration.ofMillis(12), Optional.empty(), List.of(), "a\nb \\ c");

        assertThat(Files.readString(file)).isEqualTo(
                "2025-01-31T10:15:02.481Z web run exit=0 3ms cwd=/srv env=[A,TOKEN] cmd=curl -s localhost:8080\n"
                        + "2025-01-31T10:15:02.481Z db run exit=1 12ms cmd=a\\nb \\\\ c\n");
    }

    @Test
    void appendsToAnExistingLog() throws Exception {
        Path file = dir.resolve("commands.log");
        Files.writeString(file, "earlier\n");
        CommandLog.appendingTo(file, CLOCK).record("m", "upload", "ok", Duration.ZERO, Optional.empty(), List.of(),
                "x -> y");
        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("earlier");
    }

    @Test
    void aDisabledLogWritesNothing() {
        CommandLog log = CommandLog.disabled();
        log.record("m", "run", "exit=0", Duration.ZERO, Optional.empty(), List.of(), "true");
        assertThat(log.file()).isEmpty();
    }
}
