package io.testbed.core.lease;

import io.testbed.core.spi.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Minimal prefix directories for lease tests: the store only needs {@code prefix.json} to exist. */
final class TestPrefixes {

    private TestPrefixes() {}

    /** A new prefix directory under {@code root} held by this JVM. */
    static Owner create(Path root, String name) {
        return create(root, name, ProcessHandle.current().pid());
    }

    /** A new prefix directory under {@code root} held by process {@code pid}. */
    static Owner create(Path root, String name, long pid) {
        String id = UUID.randomUUID().toString();
        Path dir = root.resolve(name + "-" + id.substring(0, 8));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("prefix.json"), "{\"id\":\"" + id + "\",\"name\":\"" + name + "\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Owner(id, dir.toAbsolutePath().toString(), pid);
    }
}
