package io.testbed.bench;

import io.testbed.core.journal.JournalEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every journal event of one provisioning, as it happens (a progress listener of {@code Engine.provision}), so the
 * benchmarks can time phases — e.g. a machine's {@code machine.start} → {@code machine.ready} — and hook actions to
 * events (start watching a console, measure a disk) in the provisioning thread itself. Thread-safe.
 */
final class Recording implements Consumer<JournalEvent> {

    private final List<JournalEvent> events = new CopyOnWriteArrayList<>();
    private final List<Consumer<JournalEvent>> hooks = new CopyOnWriteArrayList<>();

    @Override
    public void accept(JournalEvent event) {
        events.add(event);
        for (Consumer<JournalEvent> hook : hooks) {
            hook.accept(event);
        }
    }

    /** Calls {@code hook} for every later event, synchronously in the thread that journals it. */
    Recording onEvent(Consumer<JournalEvent> hook) {
        hooks.add(hook);
        return this;
    }

    List<JournalEvent> events() {
        return List.copyOf(events);
    }

    /** The first event of that type, status and (when not null) subject. */
    Optional<JournalEvent> find(String type, String status, String subject) {
        return events.stream().filter(e -> e.type().equals(type) && e.status().equals(status)
                && (subject == null || subject.equals(e.subject()))).findFirst();
    }

    /** Every event of that type and status. */
    List<JournalEvent> all(String type, String status) {
        return events.stream().filter(e -> e.type().equals(type) && e.status().equals(status)).toList();
    }

    /** The journaled duration of a step of a subject (its {@code ok} event), in ms. */
    double stepMs(String type, String subject) {
        return find(type, "ok", subject).map(e -> (double) e.durationMs())
                .orElseThrow(() -> missing(type + " ok of " + subject));
    }

    /** The journaled durations of every finished step of a type, in ms. */
    Samples stepsMs(String type) {
        Samples samples = new Samples();
        all(type, "ok").forEach(e -> samples.add(e.durationMs()));
        return samples;
    }

    /** Milliseconds from one event to another, both of {@code subject}. */
    double spanMs(String fromType, String fromStatus, String toType, String toStatus, String subject) {
        Instant from = find(fromType, fromStatus, subject).map(JournalEvent::time)
                .orElseThrow(() -> missing(fromType + " " + fromStatus + " of " + subject));
        Instant to = find(toType, toStatus, subject).map(JournalEvent::time)
                .orElseThrow(() -> missing(toType + " " + toStatus + " of " + subject));
        return millis(Duration.between(from, to));
    }

    /** The subjects of every machine that became ready, e.g. {@code machine 'web'}. */
    List<String> readyMachines() {
        List<String> subjects = new ArrayList<>();
        all("machine.ready", "ok").forEach(e -> subjects.add(e.subject()));
        return subjects;
    }

    /** The time of the last event of that type and status. */
    Instant last(String type, String status) {
        List<JournalEvent> matching = all(type, status);
        if (matching.isEmpty()) {
            throw missing(type + " " + status);
        }
        return matching.get(matching.size() - 1).time();
    }

    /** The machine's name in a journal subject such as {@code machine 'web'}. */
    static String machineName(String subject) {
        int open = subject.indexOf('\'');
        int close = subject.lastIndexOf('\'');
        return open >= 0 && close > open ? subject.substring(open + 1, close) : subject;
    }

    static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    private BenchException missing(String what) {
        return new BenchException("The journal has no event '" + what + "' (" + events.size() + " events); did the"
                + " engine's journal vocabulary change? Events: " + events.stream().map(e -> e.type() + " "
                + e.status()).distinct().toList());
    }
}
