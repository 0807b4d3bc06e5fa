package io.testbed.reports.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@link Note}s as a table ({@code table.notes}): when, where, what, and the particulars; the same on every page. */
final class NoteTable {

    private NoteTable() {}

    /** Writes {@code notes} with their times as offsets from {@code from}; nothing when there are none. */
    static void write(Html html, List<Note> notes, Instant from) {
        if (notes.isEmpty()) {
            return;
        }
        html.open("table", "class", "notes").open("thead").open("tr");
        for (String column : List.of("at", "where", "what", "detail")) {
            html.element("th", column);
        }
        html.close("tr").close("thead").open("tbody");
        for (Note note : notes) {
            String at = from == null || note.time().isBefore(from)
                    ? note.time().toString()
                    : "+" + Format.duration(Duration.between(from, note.time()));
            html.open("tr", "class", note.problem() ? "note problem" : "note", "data-lane", note.lane())
                    .element("td", at, "class", "at")
                    .element("td", note.lane(), "class", "machine")
                    .element("td", note.what(), "class", "what")
                    .element("td", note.detail(), "class", "detail")
                    .close("tr");
        }
        html.close("tbody").close("table");
    }
}
