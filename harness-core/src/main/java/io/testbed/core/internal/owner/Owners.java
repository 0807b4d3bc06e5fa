package io.testbed.core.internal.owner;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.spi.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * A host-wide registry of live prefixes by short id, next to the lease store. Providers whose objects cannot
 * carry metadata (libvirt networks before libvirt 9.7) name them {@code tb-<shortId>-…} and find their owner
 * here; an object whose short id is not registered has no owner and is an orphan.
 */
@API(status = API.Status.INTERNAL)
public final class Owners {

    private static final ObjectMapper JSON = Json.mapper();
    private static final String SHORT_ID = "[0-9a-f]{8}";

    private final Path dir;

    /** The registry in {@code dir} (by default {@code /var/tmp/testbed/owners}). */
    public Owners(Path dir) {
        this.dir = dir;
    }

    /** The registry that sits beside the lease store directory {@code leaseDir}. */
    public static Owners besideLeases(Path leaseDir) {
        return new Owners(leaseDir.toAbsolutePath().resolveSibling("owners"));
    }

    /** The registry directory. */
    public Path directory() {
        return dir;
    }

    /** Registers an owner before any of its objects exist. */
    public void register(Owner owner) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeDurably(file(owner.shortId()), JSON.writeValueAsBytes(owner));
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot register owner in " + dir + ": " + e
                            + "; check that the directory is writable (testbed.lease.dir)",
                    e);
        }
    }

    /** Removes an owner once all its objects are gone. */
    public void unregister(Owner owner) {
        try {
            Files.deleteIfExists(file(owner.shortId()));
        } catch (IOException e) {
            throw new TestbedException("Cannot unregister owner " + owner.shortId() + " in " + dir + ": " + e, e);
        }
    }

    /** The owner registered under {@code shortId}, if any. */
    public Optional<Owner> lookup(String shortId) {
        Path file = file(shortId);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), Owner.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Every registered owner, by short id; unreadable entries are skipped (a writer replaces them atomically, so
     * only a foreign file can be unreadable).
     *
     * @throws TestbedException when the registry directory exists but cannot be listed
     */
    public List<Owner> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.matches(SHORT_ID + "\\.json"))
                    .sorted()
                    .map(name -> lookup(name.substring(0, 8)))
                    .flatMap(Optional::stream)
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new TestbedException("Cannot list the owner registry " + dir + ": " + e, e);
        }
    }

    /**
     * The owner of an object named {@code tb-<shortId>-…}; empty when the name is not Testbed's or the owner is
     * not registered.
     */
    public Optional<Owner> ownerOfObject(String objectName) {
        if (!objectName.startsWith("tb-") || objectName.length() < 12 || objectName.charAt(11) != '-') {
            return Optional.empty();
        }
        return lookup(objectName.substring(3, 11));
    }

    private Path file(String shortId) {
        if (!shortId.matches(SHORT_ID)) {
            throw new IllegalArgumentException("owner short id must be 8 hex digits, was '" + shortId + "'");
        }
        return dir.resolve(shortId + ".json");
    }
}
