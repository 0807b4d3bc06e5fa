package io.testbed.junit.internal;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.TestEvent;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * The extension's side of an environment's journal: records test class and test boundaries into it, sets the test
 * that commands belong to, and keeps the commands of each running test and class as they are journaled (a journal
 * listener), so that progress lines and failure artifacts read them from the stream. A test's commands are dropped
 * once it is done with; thread-safe.
 */
final class TestJournal implements Consumer<Event> {

    private final Journal journal;
    private final Map<String, List<CommandEvent>> commands = new ConcurrentHashMap<>();
    private final Map<String, Instant> starts = new ConcurrentHashMap<>();

    private TestJournal(Journal journal) {
        this.journal = journal;
    }

    /** Listens to {@code journal} from now on. */
    static TestJournal listeningTo(Journal journal) {
        TestJournal tests = new TestJournal(journal);
        journal.addListener(tests);
        return tests;
    }

    @Override
    public void accept(Event event) {
        if (event instanceof CommandEvent command && command.test() != null && starts.containsKey(command.test())) {
            commands.computeIfAbsent(command.test(), id -> Collections.synchronizedList(new ArrayList<>()))
                    .add(command);
        }
    }

    /** A test class begins; its {@code @BeforeAll} commands belong to it. */
    void classStarted(ExtensionContext context) {
        String id = context.getUniqueId();
        starts.put(id, journal.now());
        journal.currentTest(id);
        journal.record((time, env) -> new TestEvent.ClassStarted(
                time, env, context.getRequiredTestClass().getName(), id, context.getDisplayName()));
    }

    /** A test class ended; later commands belong to its enclosing class, if any. */
    void classFinished(ExtensionContext context) {
        String id = context.getUniqueId();
        Instant start = starts.remove(id);
        commands.remove(id);
        Optional<Throwable> failure = context.getExecutionException();
        journal.record((time, env) -> new TestEvent.ClassFinished(
                time,
                env,
                context.getRequiredTestClass().getName(),
                id,
                result(failure),
                start == null ? Duration.ZERO : Duration.between(start, time),
                failure.map(TestJournal::message).orElse(null)));
        journal.currentTest(context.getParent()
                .filter(p -> p.getElement().filter(Class.class::isInstance).isPresent())
                .map(ExtensionContext::getUniqueId)
                .orElse(null));
    }

    /** A test begins (before its {@code @BeforeEach} methods); commands from now on belong to it. */
    void testStarted(ExtensionContext context) {
        String id = context.getUniqueId();
        starts.put(id, journal.now());
        journal.currentTest(id);
        journal.record((time, env) -> new TestEvent.TestStarted(
                time,
                env,
                context.getRequiredTestClass().getName(),
                context.getTestMethod().map(Method::getName).orElse(null),
                context.getDisplayName(),
                id));
    }

    /**
     * A test ended (after its {@code @AfterEach} methods). Commands that clean up after it (killing its jobs,
     * restoring its settings) still belong to it until {@link #testDone}.
     *
     * @return the commands it ran, in order
     */
    List<CommandEvent> testFinished(ExtensionContext context) {
        String id = context.getUniqueId();
        Instant start = starts.get(id);
        Optional<Throwable> failure = context.getExecutionException();
        journal.record((time, env) -> new TestEvent.TestFinished(
                time,
                env,
                context.getRequiredTestClass().getName(),
                context.getTestMethod().map(Method::getName).orElse(null),
                context.getDisplayName(),
                id,
                result(failure),
                start == null ? Duration.ZERO : Duration.between(start, time),
                failure.map(TestJournal::message).orElse(null)));
        return commandsOf(id);
    }

    /** The test's commands so far, in order. */
    List<CommandEvent> commandsOf(String uniqueId) {
        List<CommandEvent> list = commands.getOrDefault(uniqueId, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** The test is cleaned up after; later commands belong to its class. */
    void testDone(ExtensionContext context) {
        starts.remove(context.getUniqueId());
        commands.remove(context.getUniqueId());
        journal.currentTest(
                context.getParent().map(ExtensionContext::getUniqueId).orElse(null));
    }

    /** A disabled test: it never started. */
    void testSkipped(ExtensionContext context, Optional<String> reason) {
        journal.record((time, env) -> new TestEvent.TestFinished(
                time,
                env,
                context.getRequiredTestClass().getName(),
                context.getTestMethod().map(Method::getName).orElse(null),
                context.getDisplayName(),
                context.getUniqueId(),
                TestEvent.Result.SKIPPED,
                Duration.ZERO,
                reason.orElse(null)));
    }

    private static TestEvent.Result result(Optional<Throwable> failure) {
        return failure.isEmpty()
                ? TestEvent.Result.PASSED
                : failure.get() instanceof TestAbortedException ? TestEvent.Result.ABORTED : TestEvent.Result.FAILED;
    }

    private static String message(Throwable failure) {
        return failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage();
    }
}
