package io.testbed.reports.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The last lines of a machine's console log, read once per file and report. */
final class ConsoleTail {

    /** How many lines of a console the report shows. */
    static final int LINES = 40;

    private static final int MAX_BYTES = 16 * 1024;
    private static final Map<Path, String> CACHE = new ConcurrentHashMap<>();

    private ConsoleTail() {}

    static String read(Path file) {
        return CACHE.computeIfAbsent(file, ConsoleTail::readTail);
    }

    /** Forgets what was read, so a new report reads the files again. */
    static void clear() {
        CACHE.clear();
    }

    private static String readTail(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            long from = Math.max(0, length - MAX_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            in.seek(from);
            in.readFully(bytes);
            List<String> lines =
                    new String(bytes, StandardCharsets.UTF_8).lines().toList();
            if (from > 0 && !lines.isEmpty()) {
                lines = lines.subList(1, lines.size()); // the first one is cut
            }
            List<String> tail = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
            return tail.isEmpty() ? "(empty)" : String.join("\n", tail);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
