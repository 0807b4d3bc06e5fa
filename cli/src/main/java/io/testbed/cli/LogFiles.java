package io.testbed.cli;

import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixMetadata;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code testbed logs} reads from a prefix: the journal (through {@link JournalReader}, commands included) and
 * the serial console logs, all of them or one machine's; and, with {@code -f}, what is appended to them until the
 * environment's journal ends or its owner process dies. Reads only whole journal lines, so an event being written is
 * printed once it is complete.
 */
final class LogFiles {

    private final Prefix prefix;
    private final String machine;
    private final boolean consoles;
    private final boolean json;
    private final PrintWriter out;
    private long journalOffset;
    private boolean journalEnded;
    private final Map<Path, Long> consoleOffsets = new LinkedHashMap<>();

    /**
     * @param machine  the machine whose events and console to show; null for all
     * @param consoles whether to show console logs
     * @param json     whether to write the journal's events as JSON lines, as the journal holds them, and nothing
     *                 else (no headings, no consoles)
     */
    LogFiles(Prefix prefix, String machine, boolean consoles, boolean json, PrintWriter out) {
        this.prefix = prefix;
        this.machine = machine;
        this.consoles = consoles && !json;
        this.json = json;
        this.out = out;
    }

    /** The machines that have a console log in the prefix. */
    List<String> machinesWithConsole() {
        return consoleFiles().stream()
                .map(file -> file.getFileName().toString().replaceFirst("-console\\.log$", ""))
                .toList();
    }

    /** Prints the journal and the consoles as they are now. */
    void printAll() throws IOException {
        Path journal = prefix.journalFile();
        List<Event> events = readJournal();
        if (!json) {
            out.println("==> journal of " + prefix.name() + (machine == null ? "" : ", machine " + machine) + ": "
                    + journal + (journalEnded ? "" : " (not ended: in use, or its JVM was killed)"));
        }
        events.forEach(this::print);
        if (consoles) {
            for (Path console : consoleFiles()) {
                out.println("==> console of " + consoleMachine(console) + ": " + console);
                byte[] bytes = Files.readAllBytes(console);
                consoleOffsets.put(console, (long) bytes.length);
                String text = new String(bytes, StandardCharsets.UTF_8);
                out.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
            }
        }
        out.flush();
    }

    /**
     * Prints what is appended to the journal and the consoles, polling, until the journal ends (the environment was
     * torn down, rolled back or kept) or its owner process is gone and nothing more arrived.
     */
    void follow(long pollMillis) throws IOException, InterruptedException {
        PrefixMetadata metadata = prefix.metadata();
        while (!journalEnded) {
            boolean ownerGone = OwnerLiveness.processGone(metadata.pid(), metadata.pidStartTime())
                    .isPresent();
            boolean more = printNew();
            if (journalEnded) {
                break;
            }
            if (ownerGone && !more) {
                say("==> the owner process " + metadata.pid() + " is gone; nothing more will be written"
                        + " (testbed janitor removes what it left)");
                return;
            }
            Thread.sleep(pollMillis);
        }
        say("==> the journal of " + prefix.name() + " ended");
    }

    /** A line about the logs themselves; not in JSON output, which holds events only. */
    private void say(String line) {
        if (!json) {
            out.println(line);
        }
        out.flush();
    }

    private boolean printNew() throws IOException {
        List<Event> events = readJournal();
        events.forEach(this::print);
        boolean more = !events.isEmpty();
        if (consoles) {
            for (Path console : consoleFiles()) {
                long from = consoleOffsets.getOrDefault(console, 0L);
                byte[] appended = readFrom(console, from);
                if (appended.length == 0) {
                    continue;
                }
                more = true;
                consoleOffsets.put(console, from + appended.length);
                String name = consoleMachine(console);
                for (String line : new String(appended, StandardCharsets.UTF_8).split("\n", -1)) {
                    if (!line.isEmpty()) {
                        out.println("[" + name + " console] " + line.stripTrailing());
                    }
                }
            }
        }
        out.flush();
        return more;
    }

    private void print(Event event) {
        out.println(json ? JournalText.json(event) : JournalText.line(event));
    }

    /** The complete journal lines after the last offset read, as events of the machine asked for. */
    private List<Event> readJournal() throws IOException {
        Path journal = prefix.journalFile();
        if (!Files.isRegularFile(journal)) {
            return List.of();
        }
        byte[] appended = readFrom(journal, journalOffset);
        int end = lastLineBreak(appended);
        if (end < 0) {
            return List.of();
        }
        journalOffset += end + 1;
        String text = new String(Arrays.copyOf(appended, end + 1), StandardCharsets.UTF_8);
        JournalReader.Contents contents = JournalReader.parse(text.lines().toList());
        journalEnded |= contents.complete();
        List<Event> events = new ArrayList<>();
        for (Event event : contents.events()) {
            if (machine == null || JournalText.concerns(event, machine)) {
                events.add(event);
            }
        }
        return events;
    }

    private List<Path> consoleFiles() {
        if (machine != null) {
            Path console = prefix.consoleLog(machine);
            return Files.isRegularFile(console) ? List.of(console) : List.of();
        }
        try (var files = Files.list(prefix.logsDir())) {
            return files.filter(file -> file.getFileName().toString().endsWith("-console.log"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String consoleMachine(Path console) {
        return console.getFileName().toString().replaceFirst("-console\\.log$", "");
    }

    private static int lastLineBreak(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] readFrom(Path file, long offset) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= offset) {
                return new byte[0];
            }
            byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - offset)];
            in.seek(offset);
            in.readFully(bytes);
            return bytes;
        }
    }

    /** The prefix of an environment, when its directory is still there. */
    static Optional<Prefix> open(EnvironmentInfo environment) {
        Path dir = Path.of(environment.prefix());
        return Prefix.isPrefix(dir) ? Optional.of(Prefix.open(dir)) : Optional.empty();
    }
}
