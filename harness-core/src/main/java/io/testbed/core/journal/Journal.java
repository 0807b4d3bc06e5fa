package io.testbed.core.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.testbed.core.TestbedException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The prefix's event journal: one JSON object per line, appended and flushed as each step happens, so
 * that it survives a killed JVM. Reports read only this file. Thread-safe.
 *
 * <p>Listeners (progress output) see every event as it is written.
 */
public final class Journal implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Path file;
    private final Clock clock;
    private final BufferedWriter writer;
    private final List<Consumer<JournalEvent>> listeners = new CopyOnWriteArrayList<>();

    private Journal(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        try {
            Files.createDirectories(file.getParent());
            this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new TestbedException("Cannot open journal " + file + ": " + e, e);
        }
    }

    /** Opens (creating or appending to) the journal at {@code file}. */
    public static Journal open(Path file) {
        return new Journal(file, Clock.systemUTC());
    }

    /** Opens the journal with a replaceable clock, for tests. */
    public static Journal open(Path file, Clock clock) {
        return new Journal(file, clock);
    }

    public Path file() {
        return file;
    }

    /** Registers a listener called synchronously for every event after it is written. */
    public void addListener(Consumer<JournalEvent> listener) {
        listeners.add(listener);
    }

    /** Appends an instantaneous event. */
    public void record(String type, String subject, String status, Map<String, Object> detail) {
        write(new JournalEvent(clock.instant(), type, subject, status, null, detail));
    }

    /**
     * Runs {@code step}, journaling {@code type} with status {@code started}, then {@code ok} or {@code failed}
     * with the duration and the error message.
     */
    public <T> T step(String type, String subject, Supplier<T> step) {
        Instant start = clock.instant();
        write(new JournalEvent(start, type, subject, "started", null, Map.of()));
        try {
            T result = step.get();
            write(new JournalEvent(clock.instant(), type, subject, "ok",
                    Duration.between(start, clock.instant()).toMillis(), Map.of()));
            return result;
        } catch (RuntimeException | Error e) {
            write(new JournalEvent(clock.instant(), type, subject, "failed",
                    Duration.between(start, clock.instant()).toMillis(),
                    Map.of("error", String.valueOf(e.getMessage()), "exception", e.getClass().getName())));
            throw e;
        }
    }

    /** {@link #step(String, String, Supplier)} for steps without a result. */
    public void step(String type, String subject, Runnable step) {
        step(type, subject, () -> {
            step.run();
            return null;
        });
    }

    private void write(JournalEvent event) {
        try {
            String line = JSON.writeValueAsString(event);
            synchronized (writer) {
                writer.write(line);
                writer.newLine();
                writer.flush();
            }
        } catch (IOException e) {
            throw new TestbedException("Cannot append to journal " + file + ": " + e, e);
        }
        for (Consumer<JournalEvent> listener : listeners) {
            listener.accept(event);
        }
    }

    /** Reads every event of a journal file, in order. Lines cut short by a killed JVM are skipped. */
    public static List<JournalEvent> read(Path file) {
        List<JournalEvent> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    events.add(JSON.readValue(line, JournalEvent.class));
                } catch (IOException truncated) {
                    // the last line of a killed JVM may be partial; everything before it is intact
                }
            }
        } catch (IOException e) {
            throw new TestbedException("Cannot read journal " + file + ": " + e, e);
        }
        return events;
    }

    @Override
    public void close() {
        try {
            synchronized (writer) {
                writer.close();
            }
        } catch (IOException e) {
            throw new TestbedException("Cannot close journal " + file + ": " + e, e);
        }
    }
}
