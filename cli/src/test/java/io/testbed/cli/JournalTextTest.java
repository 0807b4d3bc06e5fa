package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.ResourceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalTextTest {

    private static final Instant TIME = Instant.parse("2026-12-07T07:01:02.123Z");

    private static CommandEvent.CommandRun command(String machine) {
        return new CommandEvent.CommandRun(
                TIME,
                "web",
                null,
                machine,
                CommandEvent.Purpose.RUN,
                "ping -c1 db",
                null,
                List.of(),
                CommandEvent.Outcome.EXITED,
                0,
                null,
                Duration.ofMillis(12),
                "64 bytes",
                "");
    }

    @Test
    void commandsReadAsTheCommandLogWritesThem() {
        assertThat(JournalText.line(command("box")))
                .isEqualTo("2026-12-07T07:01:02.123Z box run exit=0 12ms cmd=ping -c1 db");
    }

    @Test
    void otherEventsShowTheirTypeAndEveryPropertyWithReadableDurations() {
        assertThat(JournalText.line(new ResourceEvent.MachineReady(
                        TIME, "web", "box", Duration.ofMillis(5712), Duration.ofMillis(480))))
                .isEqualTo("2026-12-07T07:01:02.123Z machine.ready machine=box bootDuration=5.7 s readyWait=480 ms");
        assertThat(JournalText.line(new EnvironmentEvent.LeaseTaken(
                        TIME, "web", Map.of("lan", "198.18.7.0/24"), Duration.ofMillis(7))))
                .isEqualTo("2026-12-07T07:01:02.123Z lease.taken subnets={\"lan\":\"198.18.7.0/24\"} duration=7 ms");
        assertThat(JournalText.line(new EnvironmentEvent.StepFailed(
                        TIME, "web", "machine 'box'", "machine.ready", Duration.ofSeconds(180), "no SSH\nat all", "X")))
                .isEqualTo("2026-12-07T07:01:02.123Z step.failed resource=machine 'box' action=machine.ready"
                        + " duration=180.0 s error=no SSH\\nat all exception=X");
    }

    @Test
    void aMachinesEventsAreThoseThatNameIt() {
        assertThat(JournalText.concerns(command("box"), "box")).isTrue();
        assertThat(JournalText.concerns(command("db"), "box")).isFalse();
        assertThat(JournalText.concerns(new ResourceEvent.MachineBooting(TIME, "web", "box"), "box"))
                .isTrue();
        assertThat(JournalText.concerns(
                        new EnvironmentEvent.StepFailed(
                                TIME, "web", "machine 'box'", "machine.ready", Duration.ZERO, "e", "X"),
                        "box"))
                .isTrue();
        assertThat(JournalText.concerns(new EnvironmentEvent.TeardownStarted(TIME, "web"), "box"))
                .isFalse();
    }
}
