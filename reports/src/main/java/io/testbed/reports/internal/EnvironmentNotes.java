package io.testbed.reports.internal;

import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.LinkEvent;
import io.testbed.core.journal.ResourceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns the journal's events about how machines start, warm images, links and host leases into {@link Note}s for the
 * environment's and tests' pages and {@link Span}s for the timeline, and remembers how each machine started for the
 * machines table. Part of {@link EnvironmentReader}.
 */
final class EnvironmentNotes {

    private final List<Note> notes = new ArrayList<>();
    private final List<Span> spans;
    private final Map<String, String> starts = new HashMap<>();
    /** Cuts made and not healed yet: id → the event that made it. */
    private final Map<Integer, LinkEvent.CutMade> openCuts = new LinkedHashMap<>();

    /** @param spans the environment's timeline, which bars are added to */
    EnvironmentNotes(List<Span> spans) {
        this.spans = spans;
    }

    /** Takes {@code event} if it is one of these; false for every other event. */
    boolean accept(Event event) {
        if (event instanceof ResourceEvent.StartChosen e) {
            boolean warm = e.method() == ResourceEvent.StartMethod.WARM;
            String what = warm ? "warm start" : "cold boot";
            note(e.time(), e.machine(), what, e.reason(), false);
            starts.put(e.machine(), (warm ? "warm" : "cold") + " (" + e.reason() + ")");
            spans.add(new Span(e.machine(), Span.Kind.START, what + ": " + e.reason(), e.time(), e.time(), false));
        } else if (event instanceof HostEvent.WarmImageResolved e) {
            String what = e.built() ? "warm image built" : "warm image reused";
            note(e.time(), Span.ENVIRONMENT, what, e.template() + " · " + e.path(), false);
            span(Span.Kind.WARM, what + " for " + e.template(), e.time(), e.built() ? e.duration() : null, false);
        } else if (event instanceof HostEvent.WarmImageDiscarded e) {
            note(
                    e.time(),
                    Span.ENVIRONMENT,
                    "warm image discarded",
                    e.template() + ": " + e.reason() + " · " + e.path(),
                    true);
            span(Span.Kind.WARM, "warm image for " + e.template() + " discarded: " + e.reason(), e.time(), null, true);
        } else if (event instanceof EnvironmentEvent.HostsLeased e) {
            String hosts = e.hosts().entrySet().stream()
                    .map(h -> h.getKey() + " → " + h.getValue())
                    .collect(Collectors.joining(", "));
            note(e.time(), Span.ENVIRONMENT, "hosts leased", hosts + " (provider " + e.provider() + ")", false);
            e.hosts().forEach((machine, host) -> starts.put(machine, "leased host " + host));
            span(Span.Kind.LEASE, "hosts leased: " + hosts, e.time(), e.duration(), false);
        } else if (event instanceof LinkEvent e) {
            link(e);
        } else {
            return false;
        }
        return true;
    }

    private void link(LinkEvent event) {
        if (event instanceof LinkEvent.ConstraintsApplied e) {
            String constraints = e.constraints().isEmpty() ? "none" : String.join("; ", e.constraints());
            note(
                    e.time(),
                    Span.ENVIRONMENT,
                    "links constrained (" + e.why() + ")",
                    constraints + " · " + Format.count(e.directions(), "direction"),
                    false);
            span(Span.Kind.LINK, "links constrained (" + e.why() + "): " + constraints, e.time(), e.duration(), false);
        } else if (event instanceof LinkEvent.CutMade e) {
            note(e.time(), Span.ENVIRONMENT, "cut " + e.id() + " made (" + e.kind() + ")", e.description(), false);
            openCuts.put(e.id(), e);
        } else if (event instanceof LinkEvent.CutHealed e) {
            note(e.time(), Span.ENVIRONMENT, "cut " + e.id() + " healed", e.description(), false);
            LinkEvent.CutMade made = openCuts.remove(e.id());
            spans.add(new Span(
                    Span.ENVIRONMENT,
                    Span.Kind.CUT,
                    cutLabel(e.id(), made == null ? null : made.kind(), e.description()),
                    made == null ? e.time() : made.time(),
                    e.time(),
                    false));
        } else if (event instanceof LinkEvent.Validated e) {
            note(
                    e.time(),
                    Span.ENVIRONMENT,
                    "links validated",
                    Format.count(e.rows(), "pair") + ", " + e.probes() + " probes each\n" + e.table(),
                    false);
            span(Span.Kind.LINK, "links validated: " + Format.count(e.rows(), "pair"), e.time(), e.duration(), false);
        } else if (event instanceof LinkEvent.HostRulesRemoved e) {
            note(e.time(), Span.ENVIRONMENT, "host rules removed", e.what(), false);
        }
    }

    /** Closes the bars of cuts never healed at {@code end}; the notes found. */
    List<Note> finish(Instant end) {
        for (LinkEvent.CutMade made : openCuts.values()) {
            spans.add(new Span(
                    Span.ENVIRONMENT,
                    Span.Kind.CUT,
                    cutLabel(made.id(), made.kind(), made.description()) + " (not healed)",
                    made.time(),
                    end,
                    false));
        }
        openCuts.clear();
        return List.copyOf(notes);
    }

    /** How {@code machine} started ({@code warm (…)}, {@code cold (…)}, {@code leased host …}), or null. */
    String startOf(String machine) {
        return starts.get(machine);
    }

    private static String cutLabel(int id, String kind, String description) {
        return "cut " + id + (kind == null ? "" : " (" + kind + ")") + ": " + description;
    }

    private void note(Instant time, String lane, String what, String detail, boolean problem) {
        notes.add(new Note(time, lane, what, detail, problem));
    }

    private void span(Span.Kind kind, String label, Instant end, Duration duration, boolean failed) {
        spans.add(new Span(
                Span.ENVIRONMENT,
                kind,
                duration == null ? label : label + " (" + Format.duration(duration) + ")",
                duration == null ? end : end.minus(duration),
                end,
                failed));
    }
}
