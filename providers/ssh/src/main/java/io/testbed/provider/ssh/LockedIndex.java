package io.testbed.provider.ssh;

import com.fasterxml.jackson.core.type.TypeReference;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.ExclusiveLock;
import io.testbed.core.lease.LeaseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The host lease index ({@code hosts.json}) guarded by an {@link ExclusiveLock} on {@code hosts.lock} (threads of
 * this JVM and other processes alike) and replaced with {@link AtomicFiles#writeJsonDurably}, so readers never see
 * half a write and a killed writer leaves the old index.
 */
public final class LockedIndex {

    static final String INDEX_FILE = "hosts.json";
    static final String LOCK_FILE = "hosts.lock";
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

    private static final TypeReference<List<HostLease>> LIST = new TypeReference<>() {};

    private final Path directory;

    public LockedIndex(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    /** The leases as last written, sorted by host. */
    public List<HostLease> read() {
        try {
            return List.copyOf(Json.mapper().readValue(Files.readAllBytes(directory.resolve(INDEX_FILE)), LIST));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LeaseException(
                    "The host lease index " + directory.resolve(INDEX_FILE) + " is unreadable (" + e.getMessage()
                            + "); move it aside once no Testbed JVM runs on this host",
                    e);
        }
    }

    /** Runs {@code action} on a mutable copy of the leases under the lock and writes the result if it changed. */
    public <T> T update(Function<List<HostLease>, T> action) {
        Path dir;
        try {
            Files.createDirectories(directory);
            dir = directory.toRealPath();
        } catch (IOException e) {
            throw new LeaseException(
                    "Cannot create the host lease directory " + directory + ": " + e
                            + "; point the lease directory at a writable place shared by every Testbed JVM",
                    e);
        }
        try (ExclusiveLock lock = lock(dir)) {
            List<HostLease> before = read();
            List<HostLease> leases = new ArrayList<>(before);
            try {
                return action.apply(leases);
            } finally {
                if (!leases.equals(before)) {
                    write(dir, leases);
                }
            }
        } catch (IOException e) {
            throw new LeaseException("Cannot use the host lease store " + dir + ": " + e, e);
        }
    }

    private static ExclusiveLock lock(Path dir) {
        try {
            return ExclusiveLock.acquire(dir.resolve(LOCK_FILE), LOCK_TIMEOUT, null);
        } catch (ExclusiveLock.TimeoutException e) {
            throw new LeaseException(
                    e.getMessage()
                            + (e.holder() == ExclusiveLock.Holder.THIS_JVM
                                    ? "; look for a stuck thread in a thread dump (jstack)"
                                    : " and end it if it is stuck"),
                    e);
        } catch (UncheckedIOException e) {
            throw new LeaseException("Cannot use the host lease store " + dir + ": " + e.getCause(), e);
        } catch (TestbedException e) {
            throw new LeaseException(e.getMessage(), e); // interrupted
        }
    }

    private static void write(Path dir, List<HostLease> leases) throws IOException {
        List<HostLease> sorted = new ArrayList<>(leases);
        sorted.sort(Comparator.comparing(HostLease::host).thenComparing(HostLease::prefixId));
        AtomicFiles.writeJsonDurably(dir.resolve(INDEX_FILE), sorted);
    }
}
