package io.testbed.core.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.TestbedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Reads a {@link Journal} file back into typed events, tolerating what a killed JVM or a newer Testbed leaves: a
 * last line cut short, and event types or properties this version does not know (skipped and counted).
 */
@API(status = API.Status.EXPERIMENTAL)
public final class JournalReader {

    private JournalReader() {}

    /**
     * What a journal file holds.
     *
     * @param events         every event this version knows, in file order
     * @param unknownTypes   lines with an event type this version does not know (written by a newer Testbed)
     * @param unreadableLines 1-based numbers of lines that are not JSON (the last one, when a JVM was killed while
     *                       writing it)
     * @param truncated      whether the last line is cut short
     * @param complete       whether the environment's journal ended: it has an {@link EnvironmentEvent.Closed} or
     *                       {@link EnvironmentEvent.Kept} event. An incomplete journal belongs to an environment that
     *                       is still in use, or to a JVM that was killed (the reaper cleans up after it).
     */
    public record Contents(
            List<Event> events, int unknownTypes, List<Integer> unreadableLines, boolean truncated, boolean complete) {
        public Contents {
            events = List.copyOf(events);
            unreadableLines = List.copyOf(unreadableLines);
        }

        /** The events of one kind, in order. */
        public <E extends Event> List<E> of(Class<E> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /**
     * Reads {@code file}.
     *
     * @throws TestbedException when it cannot be read at all
     */
    public static Contents read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TestbedException("Cannot read journal " + file + ": " + e, e);
        }
        return parse(lines);
    }

    /** Reads the lines of a journal (see {@link #read(Path)}). */
    public static Contents parse(List<String> lines) {
        List<Event> events = new ArrayList<>();
        List<Integer> unreadable = new ArrayList<>();
        int unknown = 0;
        boolean complete = false;
        int lastLine = lines.size();
        while (lastLine > 0 && lines.get(lastLine - 1).isBlank()) {
            lastLine--;
        }
        for (int i = 0; i < lastLine; i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Journal.JSON.readTree(line);
            } catch (JsonProcessingException e) {
                unreadable.add(i + 1);
                continue;
            }
            Event event;
            try {
                event = node.isObject() && node.hasNonNull("type") ? Journal.JSON.treeToValue(node, Event.class) : null;
            } catch (JsonProcessingException | IllegalArgumentException e) {
                event = null; // a known type with an incompatible shape counts as unknown, as a new type does
            }
            if (event == null) {
                unknown++;
                continue;
            }
            complete |= event instanceof EnvironmentEvent.Closed || event instanceof EnvironmentEvent.Kept;
            events.add(event);
        }
        boolean truncated = !unreadable.isEmpty() && unreadable.get(unreadable.size() - 1) == lastLine;
        return new Contents(events, unknown, unreadable, truncated, complete);
    }
}
