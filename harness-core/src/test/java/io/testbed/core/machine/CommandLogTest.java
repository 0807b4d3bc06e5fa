package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLogTest {

    private static final Instant T = Instant.parse("2025-01-31T10:15:02.481Z");
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void rendersOneLinePerCommandEventWithEnvironmentNamesOnly() throws Exception {
        Path file = dir.resolve("logs/commands.log");
        try (Journal journal = Journal.open(dir.resolve("journal.jsonl"), "env", CLOCK)) {
            journal.addListener(CommandLog.appendingTo(file));
            journal.record((time, env) -> new CommandEvent.CommandRun(
                    time,
                    env,
                    null,
                    "web",
                    CommandEvent.Purpose.RUN,
                    "curl -s localhost:8080",
                    "/srv",
                    List.of("TOKEN", "A"),
                    CommandEvent.Outcome.EXITED,
                    0,
                    null,
                    Duration.ofMillis(3),
                    "secret output",
                    ""));
            journal.record((time, env) -> new ResourceEvent.MachineBooting(time, env, "web"));
            journal.record((time, env) -> new CommandEvent.CommandRun(
                    time,
                    env,
                    null,
                    "db",
                    CommandEvent.Purpose.RUN,
                    "a\nb \\ c",
                    null,
                    List.of(),
                    CommandEvent.Outcome.EXITED,
                    1,
                    null,
                    Duration.ofMillis(12),
                    "",
                    ""));
            journal.record((time, env) -> new CommandEvent.JobFinished(
                    time,
                    env,
                    null,
                    "db",
                    2,
                    "sleep 9",
                    CommandEvent.Outcome.EXITED,
                    137,
                    null,
                    true,
                    Duration.ofMillis(40),
                    "",
                    ""));
            journal.record((time, env) -> new CommandEvent.FileCopied(
                    time,
                    env,
                    null,
                    "web",
                    CommandEvent.Direction.UPLOAD,
                    "/tmp/a",
                    "/srv/a",
                    Duration.ofMillis(5),
                    "no space"));
        }

        assertThat(Files.readString(file))
                .isEqualTo(
                        "2025-01-31T10:15:02.481Z web run exit=0 3ms cwd=/srv env=[A,TOKEN] cmd=curl -s localhost:8080\n"
                                + "2025-01-31T10:15:02.481Z db run exit=1 12ms cmd=a\\nb \\\\ c\n"
                                + "2025-01-31T10:15:02.481Z db job#2 exit=137 (killed) 40ms cmd=sleep 9\n"
                                + "2025-01-31T10:15:02.481Z web upload error: no space 5ms cmd=/tmp/a -> /srv/a\n");
    }

    @Test
    void appendsToAnExistingLog() throws Exception {
        Path file = dir.resolve("commands.log");
        Files.writeString(file, "earlier\n");
        CommandLog.appendingTo(file)
                .accept(new CommandEvent.PortWaited(T, "env", null, "m", "198.18.0.2", 22, true, Duration.ZERO));
        assertThat(Files.readAllLines(file))
                .containsExactly("earlier", "2025-01-31T10:15:02.481Z m waitForPort open 0ms cmd=198.18.0.2:22");
    }
}
