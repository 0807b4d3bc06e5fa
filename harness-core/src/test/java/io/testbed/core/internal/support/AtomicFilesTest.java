package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.internal.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void readersSeeTheOldOrTheNewContentNeverAPart() throws Exception {
        Path target = dir.resolve("state.json");
        byte[] small = "a".repeat(10).getBytes(StandardCharsets.UTF_8);
        byte[] large = "b".repeat(4 << 20).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(target, small);
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> reads = reader.submit(() -> {
                int count = 0;
                while (writing.get()) {
                    byte[] seen = Files.readAllBytes(target);
                    assertThat(seen.length).isIn(small.length, large.length);
                    assertThat(seen[seen.length - 1]).isEqualTo(seen[0]);
                    count++;
                }
                return count;
            });
            for (int i = 0; i < 20; i++) {
                AtomicFiles.writeDurably(target, i % 2 == 0 ? large : small);
            }
            writing.set(false);
            assertThat(reads.get(30, TimeUnit.SECONDS)).isPositive();
        } finally {
            reader.shutdownNow();
        }
        assertThat(Files.readAllBytes(target)).isEqualTo(small);
        assertThat(filesIn(dir)).containsExactly("state.json"); // no temporary file left
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("doc.json");
        AtomicFiles.writeJson(target, Map.of("version", 1));
        Object unserialisable = new Object(); // Jackson refuses a bean without properties
        assertThatThrownBy(() -> AtomicFiles.writeJson(target, unserialisable)).isInstanceOf(IOException.class);
        Files.createDirectory(dir.resolve("sub"));
        assertThatThrownBy(() -> AtomicFiles.write(dir.resolve("sub"), new byte[] {1})) // a directory is in the way
                .isInstanceOf(IOException.class);
        assertThat(Json.mapper().readValue(target.toFile(), Map.class)).isEqualTo(Map.of("version", 1));
        assertThat(Files.readString(target)).contains("\"version\" : 1"); // indented for people
        assertThat(filesIn(dir)).containsExactlyInAnyOrder("doc.json", "sub");
    }

    @Test
    void commitMovesAPartialFileIntoPlace() throws Exception {
        Path target = dir.resolve("download.bin");
        Files.writeString(target, "old");
        Path partial = AtomicFiles.partialFileFor(target);
        assertThat(partial.getParent()).isEqualTo(dir);
        assertThat(partial.getFileName().toString())
                .startsWith(".download.bin.")
                .endsWith(".tmp");
        Files.writeString(partial, "new");
        AtomicFiles.commit(partial, target);
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(partial).doesNotExist();
    }

    private static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).toList();
        }
    }
}
