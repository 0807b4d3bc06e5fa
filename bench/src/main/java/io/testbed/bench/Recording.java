package io.testbed.bench;

import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.ResourceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every journal event of one provisioning, as it happens (a progress listener of {@code Engine.provision}), so the
 * benchmarks can time phases — e.g. a machine's {@code machine.start} → {@code machine.ready} — and hook actions to
 * events (start watching a console, measure a disk) in the provisioning thread itself. Thread-safe.
 *
 * <p>Timed steps keep the names earlier bench reports used for their parts ({@code lease.acquire},
 * {@code machine.create}, …), so runs stay comparable; {@link #step(Event)} maps the typed events to them.
 */
final class Recording implements Consumer<Event> {

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Consumer<Event>> hooks = new CopyOnWriteArrayList<>();

    /** Which end of a step a span is measured from or to. */
    enum Edge {
        START,
        END
    }

    /**
     * A finished step of the journal.
     *
     * @param name    the bench's name of the step, e.g. {@code machine.ready}
     * @param subject the machine or network it concerns, or the environment's name
     */
    record Step(String name, String subject, Instant end, Duration duration) {
        Instant start() {
            return end.minus(duration);
        }

        Instant at(Edge edge) {
            return edge == Edge.START ? start() : end;
        }

        double ms() {
            return millis(duration);
        }
    }

    /** The step an event ends, if it ends one the bench times. */
    static Optional<Step> step(Event event) {
        String env = event.environment();
        Instant t = event.time();
        if (event instanceof EnvironmentEvent.LeaseTaken e) {
            return Optional.of(new Step("lease.acquire", env, t, e.duration()));
        } else if (event instanceof HostEvent.ProviderOpened e) {
            return Optional.of(new Step("provider.open", e.provider(), t, e.duration()));
        } else if (event instanceof HostEvent.TemplateResolved e) {
            return Optional.of(new Step("template.resolve", e.template(), t, e.duration()));
        } else if (event instanceof ResourceEvent.NetworkCreated e) {
            return Optional.of(new Step("network.create", e.network(), t, e.duration()));
        } else if (event instanceof ResourceEvent.MachineCreated e) {
            return Optional.of(new Step("machine.create", e.machine(), t, e.duration()));
        } else if (event instanceof ResourceEvent.MachineStarted e) {
            return Optional.of(new Step("machine.start", e.machine(), t, e.duration()));
        } else if (event instanceof ResourceEvent.MachineReady e) {
            return Optional.of(new Step("machine.ready", e.machine(), t, e.readyWait()));
        } else if (event instanceof ResourceEvent.SnapshotTaken e) {
            return Optional.of(new Step("snapshot.create", e.machine(), t, e.duration()));
        } else if (event instanceof ResourceEvent.Reverted e) {
            return Optional.of(new Step("snapshot.revert", e.machine(), t, e.duration()));
        } else if (event instanceof ResourceEvent.MachineDestroyed e) {
            return Optional.of(new Step("machine.destroy", e.machine(), t, e.duration()));
        }
        return Optional.empty();
    }

    @Override
    public void accept(Event event) {
        events.add(event);
        for (Consumer<Event> hook : hooks) {
            hook.accept(event);
        }
    }

    /** Calls {@code hook} for every later event, synchronously in the thread that journals it. */
    Recording onEvent(Consumer<Event> hook) {
        hooks.add(hook);
        return this;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** The first event of a kind. */
    <E extends Event> Optional<E> first(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Every finished step of that name, in order. */
    List<Step> all(String name) {
        return steps(events).stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The finished steps among {@code events}, in order. */
    static List<Step> steps(List<Event> events) {
        return events.stream().map(Recording::step).flatMap(Optional::stream).toList();
    }

    /** The first finished step of that name and subject. */
    Optional<Step> find(String name, String subject) {
        return all(name).stream().filter(s -> s.subject().equals(subject)).findFirst();
    }

    /** The journaled duration of a step of a subject, in ms. */
    double stepMs(String name, String subject) {
        return find(name, subject).map(Step::ms).orElseThrow(() -> missing(name + " of " + subject));
    }

    /** Milliseconds from one end of a step to an end of another, both of machine {@code subject}. */
    double spanMs(String fromStep, Edge fromEdge, String toStep, Edge toEdge, String subject) {
        Instant from = find(fromStep, subject)
                .map(s -> s.at(fromEdge))
                .orElseThrow(() -> missing(fromStep + " of " + subject));
        Instant to = find(toStep, subject).map(s -> s.at(toEdge)).orElseThrow(() -> missing(toStep + " of " + subject));
        return millis(Duration.between(from, to));
    }

    /** The names of every machine that became ready. */
    List<String> readyMachines() {
        return all("machine.ready").stream().map(Step::subject).toList();
    }

    /** When the last machine became ready. */
    Instant lastReady() {
        List<Step> ready = all("machine.ready");
        if (ready.isEmpty()) {
            throw missing("machine.ready");
        }
        return ready.get(ready.size() - 1).end();
    }

    static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
    }

    private BenchException missing(String what) {
        return new BenchException("The journal has no step '" + what + "' (" + events.size() + " events); did the"
                + " engine's journal vocabulary change? Events: "
                + events.stream()
                        .map(e -> e.getClass().getSimpleName())
                        .distinct()
                        .toList());
    }
}
