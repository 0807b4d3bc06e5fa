package io.testbed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.testbed.core.internal.json.Json;
import io.testbed.core.journal.Event;
import io.testbed.core.machine.CommandLog;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A journal event as one line of text for {@code testbed logs}: commands, jobs, copies and port waits as the command
 * log writes them ({@link CommandLog#render}); every other event as its time, its journal type and its properties,
 * e.g.
 *
 * <pre>
 * 2026-12-07T07:01:02.123Z machine.ready machine=box bootDuration=5.7 s duration=5.6 s
 * </pre>
 *
 * Generic on purpose: every event kind, including ones added later, is shown with all it records, and nothing here
 * repeats the list of kinds.
 */
final class JournalText {

    /** The journal's own form: the type property, durations as ISO-8601 text. */
    private static final ObjectWriter EVENT_WRITER =
            Json.mapper().writerFor(Event.class).without(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private static final Set<String> SHOWN_APART = Set.of("time", "type", "environment");

    private JournalText() {}

    /** The line of {@code event}, without a line break. */
    static String line(Event event) {
        String command = CommandLog.render(event);
        if (command != null) {
            return command.stripTrailing();
        }
        JsonNode tree = tree(event);
        StringBuilder line = new StringBuilder()
                .append(event.time())
                .append(' ')
                .append(tree.path("type").asText("?"));
        for (Map.Entry<String, JsonNode> field : tree.properties()) {
            JsonNode value = field.getValue();
            if (SHOWN_APART.contains(field.getKey()) || value.isNull() || value.isEmpty() && value.isContainerNode()) {
                continue;
            }
            line.append(' ').append(field.getKey()).append('=').append(value(value));
        }
        return line.toString();
    }

    /** The event as the journal writes it: one JSON object with its {@code type}. */
    static String json(Event event) {
        try {
            return EVENT_WRITER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write journal event " + event + ": " + e, e);
        }
    }

    /**
     * Whether {@code event} concerns machine {@code machine}: it names it in its {@code machine} property, or it is a
     * failed step on it ({@code resource = machine 'box'}).
     */
    static boolean concerns(Event event, String machine) {
        JsonNode tree = tree(event);
        return machine.equals(tree.path("machine").asText(null))
                || ("machine '" + machine + "'").equals(tree.path("resource").asText(null));
    }

    private static JsonNode tree(Event event) {
        try {
            return Json.mapper().readTree(json(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot render journal event " + event + ": " + e, e);
        }
    }

    private static String value(JsonNode value) {
        if (!value.isTextual()) {
            return value.toString();
        }
        String text = value.asText();
        if (text.startsWith("PT")) {
            try {
                long millis = Duration.parse(text).toMillis();
                return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
            } catch (DateTimeParseException notADuration) {
                return oneLine(text);
            }
        }
        return oneLine(text);
    }

    private static String oneLine(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
