package io.testbed.provider.ssh;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.testbed.core.lease.LeaseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The host lease index ({@code hosts.json}) guarded by an in-JVM lock and an exclusive file lock on
 * {@code hosts.lock}; written to a temporary file, fsync'd and renamed over the index, so readers never see half a
 * write and a killed writer leaves the old index. (The same scheme as the subnet {@code LeaseStore}, whose helpers are
 * private to it.)
 */
public final class LockedIndex {

    static final String INDEX_FILE = "hosts.json";
    static final String LOCK_FILE = "hosts.lock";
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TypeReference<List<HostLease>> LIST = new TypeReference<>() {};
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

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
            return List.copyOf(JSON.readValue(Files.readAllBytes(directory.resolve(INDEX_FILE)), LIST));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LeaseException("The host lease index " + directory.resolve(INDEX_FILE) + " is unreadable ("
                    + e.getMessage() + "); move it aside once no Testbed JVM runs on this host", e);
        }
    }

    /** Runs {@code action} on a mutable copy of the leases under both locks and writes the result if it changed. */
    public <T> T update(Function<List<HostLease>, T> action) {
        Path dir;
        try {
            Files.createDirectories(directory);
            dir = directory.toRealPath();
        } catch (IOException e) {
            throw new LeaseException("Cannot create the host lease directory " + directory + ": " + e
                    + "; point the lease directory at a writable place shared by every Testbed JVM", e);
        }
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
        try {
            if (!jvmLock.tryLock(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LeaseException("Timed out waiting for the host lease store " + dir + ": another thread of "
                        + "this JVM holds it; look for a stuck thread in a thread dump (jstack)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("Interrupted while waiting for the host lease store " + dir, e);
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = lock(channel, dir);
            try {
                List<HostLease> before = read();
                List<HostLease> leases = new ArrayList<>(before);
                try {
                    return action.apply(leases);
                } finally {
                    if (!leases.equals(before)) {
                        write(dir, leases);
                    }
                }
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new LeaseException("Cannot use the host lease store " + dir + ": " + e, e);
        } finally {
            jvmLock.unlock();
        }
    }

    private static FileLock lock(FileChannel channel, Path dir) throws IOException {
        long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
        long pause = 1;
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new LeaseException("Timed out after " + LOCK_TIMEOUT.toSeconds() + " s waiting for the lock "
                        + dir.resolve(LOCK_FILE) + ": another process holds it; find it with `fuser "
                        + dir.resolve(LOCK_FILE) + "` and end it if it is stuck");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseException("Interrupted while waiting for the lock " + dir.resolve(LOCK_FILE), e);
            }
            pause = Math.min(pause * 2, 20);
        }
    }

    private static void write(Path dir, List<HostLease> leases) throws IOException {
        List<HostLease> sorted = new ArrayList<>(leases);
        sorted.sort(Comparator.comparing(HostLease::host).thenComparing(HostLease::prefixId));
        Path temp = dir.resolve(INDEX_FILE + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(JSON.writeValueAsBytes(sorted));
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(temp, dir.resolve(INDEX_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel handle = FileChannel.open(dir, StandardOpenOption.READ)) {
            handle.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename is atomic all the same
        }
    }
}
