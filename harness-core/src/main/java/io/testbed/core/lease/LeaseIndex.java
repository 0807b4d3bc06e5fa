package io.testbed.core.lease;

import inet.ipaddr.Address;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.ExclusiveLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The lease store's file: one index, {@code leases.json}, holding every lease, changed only under an
 * {@link ExclusiveLock} on {@code leases.lock} (threads of this JVM and other processes alike) and replaced
 * atomically and durably ({@link AtomicFiles#writeJsonDurably}), so a process killed at any point leaves either the
 * old or the new index. Reads take no lock.
 */
final class LeaseIndex {

    static final String INDEX_FILE = "leases.json";
    static final String LOCK_FILE = "leases.lock";
    private static final int FORMAT_VERSION = 1;

    private final Path directory;
    private final Duration lockTimeout;

    LeaseIndex(Path directory, Duration lockTimeout) {
        this.directory = directory;
        this.lockTimeout = lockTimeout;
    }

    /** What the index file holds. */
    record Content(int version, List<Lease> leases) {}

    /** A change of the lease list; may throw {@link LeaseException} after changing it (what it changed is kept). */
    @FunctionalInterface
    interface Change<T> {
        T apply(List<Lease> leases);
    }

    /**
     * Runs {@code change} on the current leases under the lock and writes the index back when they changed, also
     * when the change throws a {@link LeaseException} (it keeps what was reclaimed before a refusal).
     */
    <T> T update(Change<T> change) {
        Path canonicalDirectory = createDirectory();
        try (ExclusiveLock lock = ExclusiveLock.acquire(canonicalDirectory.resolve(LOCK_FILE), lockTimeout, null)) {
            List<Lease> before = read();
            List<Lease> leases = new ArrayList<>(before);
            try {
                T result = change.apply(leases);
                writeIfChanged(before, leases);
                return result;
            } catch (LeaseException e) {
                writeIfChanged(before, leases);
                throw e;
            }
        } catch (ExclusiveLock.TimeoutException e) {
            throw new LeaseException(
                    switch (e.holder()) {
                        case THIS_JVM ->
                            "Timed out after " + lockTimeout.toSeconds() + " s waiting for the lease store "
                                    + directory
                                    + ": another thread of this JVM holds it; look for a stuck thread in a thread "
                                    + "dump (jstack)";
                        case OTHER_PROCESS ->
                            "Timed out after " + lockTimeout.toSeconds() + " s waiting for the lock "
                                    + e.lockFile() + ": another process holds it; find it with `fuser " + e.lockFile()
                                    + "` and end it if it is stuck";
                    },
                    e);
        } catch (IOException | UncheckedIOException e) {
            throw new LeaseException(
                    "Cannot use the lease store " + directory + ": " + e + "; make it writable by "
                            + "every user that runs Testbed, or set " + LeaseStore.DIRECTORY_KEY
                            + " to such a directory",
                    e);
        }
    }

    /** Every recorded lease, as last written. */
    List<Lease> read() {
        Path index = directory.resolve(INDEX_FILE);
        try {
            Content parsed = Json.mapper().readValue(Files.readAllBytes(index), Content.class);
            if (parsed.version() > FORMAT_VERSION) {
                throw new LeaseException("The lease store " + index + " was written by a newer Testbed (format "
                        + parsed.version() + ", this one reads " + FORMAT_VERSION + "); use one Testbed version on "
                        + "this host, or give this one its own store with " + LeaseStore.DIRECTORY_KEY);
            }
            return parsed.leases() == null ? List.of() : parsed.leases();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LeaseException(
                    "The lease store " + index + " is unreadable (" + e.getMessage() + "); nothing was "
                            + "leased. Move it aside once no Testbed JVM runs on this host (leases of live prefixes are then "
                            + "forgotten, so destroy those prefixes too)",
                    e);
        }
    }

    private void writeIfChanged(List<Lease> before, List<Lease> after) throws IOException {
        if (before.equals(after)) {
            return;
        }
        List<Lease> sorted = new ArrayList<>(after);
        sorted.sort(Comparator.comparing(lease -> Subnets.parse(lease.subnet()), Address.ADDRESS_LOW_VALUE_COMPARATOR));
        AtomicFiles.writeJsonDurably(directory.resolve(INDEX_FILE), new Content(FORMAT_VERSION, sorted));
    }

    private Path createDirectory() {
        try {
            Files.createDirectories(directory);
            return directory.toRealPath();
        } catch (IOException e) {
            throw new LeaseException(
                    "Cannot create the lease store directory " + directory + ": " + e + "; set "
                            + LeaseStore.DIRECTORY_KEY
                            + " to a writable directory shared by every Testbed JVM on this host",
                    e);
        }
    }
}
