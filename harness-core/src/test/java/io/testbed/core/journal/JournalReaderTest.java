package io.testbed.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal as written and read back: complete, killed mid-write, written by a newer Testbed. */
class JournalReaderTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path writeEnvironmentLife(boolean closed) {
        Path file = dir.resolve("journal.jsonl");
        try (Journal journal = Journal.open(file, "env", CLOCK)) {
            journal.record((time, env) ->
                    new EnvironmentEvent.ProvisioningStarted(time, env, dir.toString(), List.of("web"), List.of()));
            journal.step(
                    "machine 'web'",
                    "machine.create",
                    () -> "id-1",
                    (time, env, id, took) -> new ResourceEvent.MachineCreated(time, env, "web", "local", id, took));
            if (closed) {
                journal.record((time, env) ->
                        new EnvironmentEvent.Closed(time, env, EnvironmentEvent.Outcome.TORN_DOWN, Duration.ZERO, 0));
            }
        }
        return file;
    }

    @Test
    void readsBackWhatWasWrittenAndSaysTheJournalIsComplete() {
        JournalReader.Contents contents = JournalReader.read(writeEnvironmentLife(true));
        assertThat(contents.events())
                .hasExactlyElementsOfTypes(
                        EnvironmentEvent.ProvisioningStarted.class,
                        ResourceEvent.MachineCreated.class,
                        EnvironmentEvent.Closed.class);
        assertThat(contents.of(ResourceEvent.MachineCreated.class))
                .singleElement()
                .satisfies(created -> assertThat(created.providerId()).isEqualTo("id-1"));
        assertThat(contents.complete()).isTrue();
        assertThat(contents.truncated()).isFalse();
        assertThat(contents.unreadableLines()).isEmpty();
        assertThat(contents.unknownTypes()).isZero();
    }

    @Test
    void aJvmKilledMidWriteLeavesACutLastLineAndNoClosedEvent() throws Exception {
        Path file = writeEnvironmentLife(false);
        String whole = Files.readString(file);
        // what a SIGKILL while writing the next line leaves: half of it, no newline
        Files.writeString(
                file, "{\"type\":\"machine.booting\",\"time\":\"2030-01-01T00:00:0", StandardOpenOption.APPEND);

        JournalReader.Contents contents = JournalReader.read(file);
        assertThat(contents.events()).hasSize(2);
        assertThat(contents.truncated()).isTrue();
        assertThat(contents.unreadableLines()).containsExactly(3);
        assertThat(contents.complete()).as("no environment.closed event").isFalse();
        assertThat(whole.lines()).hasSize(2);
    }

    @Test
    void aDamagedLineInTheMiddleIsSkippedAndCountedButIsNoTruncation() {
        List<String> lines = new ArrayList<>(List.of(
                "{\"type\":\"environment.teardown\",\"time\":\"2030-01-01T00:00:00Z\",\"environment\":\"env\"}",
                "{\"type\":\"environment.tear",
                "{\"type\":\"environment.closed\",\"time\":\"2030-01-01T00:00:01Z\",\"environment\":\"env\","
                        + "\"outcome\":\"TORN_DOWN\",\"duration\":\"PT1S\",\"problems\":0}",
                ""));
        JournalReader.Contents contents = JournalReader.parse(lines);
        assertThat(contents.events()).hasSize(2);
        assertThat(contents.unreadableLines()).containsExactly(2);
        assertThat(contents.truncated()).isFalse();
        assertThat(contents.complete()).isTrue();
    }

    @Test
    void unknownEventTypesAndPropertiesFromANewerTestbedAreSkippedAndCounted() {
        JournalReader.Contents contents = JournalReader.parse(List.of(
                "{\"type\":\"network.emulation.applied\",\"time\":\"2030-01-01T00:00:00Z\",\"environment\":\"env\"}",
                "{\"time\":\"2030-01-01T00:00:00Z\",\"environment\":\"env\",\"note\":\"no type at all\"}",
                "[1, 2]",
                "{\"type\":\"machine.booting\",\"time\":\"2030-01-01T00:00:00Z\",\"environment\":\"env\","
                        + "\"machine\":\"web\",\"cpuModel\":\"a property added later\"}"));
        assertThat(contents.unknownTypes()).isEqualTo(3);
        assertThat(contents.events())
                .containsExactly(new ResourceEvent.MachineBooting(Instant.parse("2030-01-01T00:00:00Z"), "env", "web"));
        assertThat(contents.truncated()).isFalse();
    }

    @Test
    void keptEnvironmentsHaveCompleteJournalsToo() {
        JournalReader.Contents contents = JournalReader.parse(
                List.of("{\"type\":\"environment.kept\",\"time\":\"2030-01-01T00:00:00Z\",\"environment\":\"env\","
                        + "\"reason\":\"keep = ALWAYS\"}"));
        assertThat(contents.complete()).isTrue();
    }

    @Test
    void aMissingJournalIsAnError() {
        assertThatThrownBy(() -> JournalReader.read(dir.resolve("missing.jsonl")))
                .isInstanceOf(TestbedException.class)
                .hasMessageStartingWith("Cannot read journal ");
    }

    @Test
    void aFailedStepIsJournaledWithItsResourceAndActionAndRethrown() {
        Path file = dir.resolve("journal.jsonl");
        List<Event> seen = new ArrayList<>();
        try (Journal journal = Journal.open(file, "env", CLOCK)) {
            journal.addListener(seen::add);
            journal.addListener(event -> {
                throw new IllegalStateException("a broken listener must not fail the step");
            });
            assertThatThrownBy(() -> journal.runStep(
                            "network 'lan'",
                            "network.create",
                            () -> {
                                throw new TestbedException("bridge busy");
                            },
                            (time, env, none, took) ->
                                    new ResourceEvent.NetworkCreated(time, env, "lan", "x", "y", "z", took)))
                    .hasMessage("bridge busy");
        }
        assertThat(seen)
                .singleElement()
                .isEqualTo(new EnvironmentEvent.StepFailed(
                        CLOCK.instant(),
                        "env",
                        "network 'lan'",
                        "network.create",
                        Duration.ZERO,
                        "bridge busy",
                        TestbedException.class.getName()));
        assertThat(JournalReader.read(file).events()).isEqualTo(seen);
    }

    @Test
    void eventsRecordedAfterCloseAreDropped() throws Exception {
        Path file = dir.resolve("journal.jsonl");
        Journal journal = Journal.open(file, "env", CLOCK);
        journal.close();
        journal.record(EnvironmentEvent.TeardownStarted::new);
        journal.close();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEmpty();
    }
}
