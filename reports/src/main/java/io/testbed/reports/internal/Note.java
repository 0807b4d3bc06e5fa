package io.testbed.reports.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to an environment besides its provisioning steps and commands, worth a line on its pages:
 * how a machine started (warm or cold, and why), a warm image resolved or discarded, links constrained, cut, healed
 * or validated, host rules removed, existing hosts leased.
 *
 * @param lane    {@link Span#ENVIRONMENT} or the machine it concerns
 * @param what    what happened, in a few words ({@code warm start}, {@code cut made})
 * @param detail  the journal's particulars (the reason, the constraints, the hosts), or ""
 * @param problem whether it reports something that went wrong (a warm image discarded)
 */
public record Note(Instant time, String lane, String what, String detail, boolean problem) {

    public Note {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(lane, "lane");
        Objects.requireNonNull(what, "what");
        detail = detail == null ? "" : detail;
    }
}
