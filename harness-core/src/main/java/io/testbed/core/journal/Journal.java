package io.testbed.core.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apiguardian.api.API;

/**
 * An environment's journal ({@code <prefix>/journal.jsonl}): the one stream of typed {@link Event}s that progress
 * output, the command log, failure artifacts, reports and the CLI read. One JSON object per line, appended and
 * flushed as each step happens, so that it survives a killed JVM; {@link JournalReader} reads it back.
 *
 * <p>Lifecycle: opened by the engine when provisioning begins, written by the engine, the providers, the machines
 * and the JUnit extension, closed after the environment's last event ({@link EnvironmentEvent.Closed}); events
 * recorded after {@link #close()} are dropped. Listeners see every event synchronously, in the thread that records
 * it, after it is written; a listener that throws is reported on standard error and never fails the step.
 * Thread-safe.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class Journal implements AutoCloseable {

    /**
     * The journal's JSON form: the shared {@link Json#mapper()} (ISO-8601 times, unknown properties ignored), plus
     * durations as ISO-8601 text, no nulls and unknown event types skipped; a copy, so the shared one stays as is.
     */
    static final ObjectMapper JSON = Json.mapper()
            .copy()
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final Path file;
    private final String environment;
    private final Clock clock;
    private final BufferedWriter writer;
    private final List<Consumer<? super Event>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private volatile String currentTest;
    private boolean closed;

    private Journal(Path file, String environment, Clock clock) {
        this.file = file;
        this.environment = Objects.requireNonNull(environment, "environment");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (file == null) {
            this.writer = null;
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.writer = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot open journal " + file + ": " + e + "; check that the prefix directory is writable", e);
        }
    }

    /**
     * Opens (creating or appending to) the journal of environment {@code environment} at {@code file}.
     *
     * @throws TestbedException when the file cannot be opened
     */
    public static Journal open(Path file, String environment) {
        return new Journal(Objects.requireNonNull(file, "file"), environment, Clock.systemUTC());
    }

    /** {@link #open(Path, String)} with a replaceable clock, for tests. */
    public static Journal open(Path file, String environment, Clock clock) {
        return new Journal(Objects.requireNonNull(file, "file"), environment, clock);
    }

    /**
     * A journal that keeps no file and only calls its listeners: for machines used outside an environment (tests of
     * a single transport), where nothing reads a journal later.
     */
    public static Journal withoutFile(String environment) {
        return new Journal(null, environment, Clock.systemUTC());
    }

    /** The file written; empty for {@link #withoutFile}. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The name of the environment whose events this journal holds. */
    public String environment() {
        return environment;
    }

    /** Registers a listener called synchronously for every later event, after it is written. */
    public void addListener(Consumer<? super Event> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Sets the test that later {@link CommandEvent}s belong to: JUnit's unique id of a test while it runs, of its
     * test class between tests, or null. Set by the JUnit extension; commands from any thread take the current one.
     */
    public void currentTest(String uniqueId) {
        this.currentTest = uniqueId;
    }

    /** The test later commands belong to (see {@link #currentTest(String)}); null outside tests. */
    public String currentTest() {
        return currentTest;
    }

    /** The journal clock's current time. */
    public Instant now() {
        return clock.instant();
    }

    /** Appends the event {@code factory} creates with the current time and this journal's environment. */
    public void record(Event.Factory factory) {
        write(factory.at(clock.instant(), environment));
    }

    /**
     * Creates the event that ends a step, from its result and its duration.
     *
     * @param <T> the step's result
     */
    @FunctionalInterface
    public interface Done<T> {
        Event at(Instant time, String environment, T result, Duration duration);
    }

    /**
     * Runs {@code step}: on success records the event {@code done} makes of its result and duration, on failure a
     * {@link EnvironmentEvent.StepFailed} naming {@code resource} and {@code action}, and rethrows.
     *
     * @param resource what the step concerns, e.g. {@code machine 'web'}
     * @param action   what it does, e.g. {@code machine.create}
     */
    public <T> T step(String resource, String action, Supplier<T> step, Done<? super T> done) {
        Instant start = clock.instant();
        T result;
        try {
            result = step.get();
        } catch (RuntimeException | Error e) {
            Instant end = clock.instant();
            write(new EnvironmentEvent.StepFailed(
                    end,
                    environment,
                    resource,
                    action,
                    Duration.between(start, end),
                    String.valueOf(e.getMessage()),
                    e.getClass().getName()));
            throw e;
        }
        Instant end = clock.instant();
        write(done.at(end, environment, result, Duration.between(start, end)));
        return result;
    }

    /** {@link #step(String, String, Supplier, Done)} for steps without a result. */
    public void runStep(String resource, String action, Runnable step, Done<Void> done) {
        step(
                resource,
                action,
                () -> {
                    step.run();
                    return null;
                },
                done);
    }

    private void write(Event event) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (writer != null) {
                try {
                    writer.write(JSON.writeValueAsString(event));
                    writer.newLine();
                    writer.flush();
                } catch (IOException e) {
                    throw new TestbedException("Cannot append to journal " + file + ": " + e, e);
                }
            }
        }
        for (Consumer<? super Event> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                System.err.println("Testbed: a journal listener failed on " + event + ": " + e);
            }
        }
    }

    /** Closes the file; later events are dropped. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (writer != null) {
                try {
                    writer.close();
                } catch (IOException e) {
                    throw new TestbedException("Cannot close journal " + file + ": " + e, e);
                }
            }
        }
    }
}
