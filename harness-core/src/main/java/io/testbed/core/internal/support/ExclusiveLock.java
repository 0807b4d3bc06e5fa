package io.testbed.core.internal.support;

import io.testbed.core.TestbedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apiguardian.api.API;

/**
 * A lock on a file that excludes every other holder, whether a thread of this JVM or another process.
 *
 * <p>File locks belong to a process, so one alone does not exclude threads of the same JVM (a second lock from it
 * throws {@link java.nio.channels.OverlappingFileLockException}); a JVM-wide {@link ReentrantLock} per lock file
 * is taken first. The file lock itself is polled (1 ms, doubling to 20 ms) so the wait has a deadline. The kernel
 * drops a file lock when its process dies, so a crashed holder never blocks anyone. The lock file is created when
 * missing and never deleted (deleting it would let two processes lock two different files).
 *
 * <p>Use with try-with-resources; {@link #close()} releases both locks and must run on the acquiring thread.
 */
@API(status = API.Status.INTERNAL)
public final class ExclusiveLock implements AutoCloseable {

    /** Who holds a lock that is being waited for. */
    public enum Holder {
        /** another thread of this JVM */
        THIS_JVM,
        /** another process */
        OTHER_PROCESS
    }

    /** Thrown when the lock was not free within the timeout; says who held it. */
    public static final class TimeoutException extends TestbedException {
        private static final long serialVersionUID = 1L;
        private final transient Path lockFile;
        private final Holder holder;

        TimeoutException(Path lockFile, Holder holder, Duration timeout) {
            super("Timed out after " + timeout.toMillis() + " ms waiting for the lock " + lockFile + ": "
                    + (holder == Holder.THIS_JVM
                            ? "another thread of this JVM holds it"
                            : "another process holds it (find it with `fuser " + lockFile + "`)"));
            this.lockFile = lockFile;
            this.holder = holder;
        }

        /** The lock file waited for. */
        public Path lockFile() {
            return lockFile;
        }

        /** Who held it. */
        public Holder holder() {
            return holder;
        }
    }

    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(20);

    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private ExclusiveLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
        this.jvmLock = jvmLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /**
     * Takes the lock on {@code lockFile} (its directory must exist), waiting at most {@code timeout}.
     *
     * @param onWait told once, before waiting, who holds the lock (for progress messages); may be {@code null}
     * @throws TimeoutException     when the lock was not free in time
     * @throws UncheckedIOException when the lock file cannot be created or locked
     * @throws TestbedException     when interrupted while waiting (the interrupt flag is set again)
     */
    public static ExclusiveLock acquire(Path lockFile, Duration timeout, Consumer<Holder> onWait) {
        Objects.requireNonNull(timeout, "timeout");
        Path key = lockFile.toAbsolutePath().normalize();
        Deadline deadline = Deadline.after(timeout);
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(key, path -> new ReentrantLock());
        try {
            if (!jvmLock.tryLock()) {
                notify(onWait, Holder.THIS_JVM);
                if (!jvmLock.tryLock(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new TimeoutException(key, Holder.THIS_JVM, timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("Interrupted while waiting for the lock " + key, e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                notify(onWait, Holder.OTHER_PROCESS);
                fileLock = pollFileLock(channel, key, deadline, timeout);
            }
            return new ExclusiveLock(jvmLock, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            jvmLock.unlock();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot lock " + key + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    private static FileLock pollFileLock(FileChannel channel, Path key, Deadline deadline, Duration timeout)
            throws IOException {
        long pauseMillis = 1;
        while (true) {
            if (deadline.expired()) {
                throw new TimeoutException(key, Holder.OTHER_PROCESS, timeout);
            }
            try {
                deadline.pause(Duration.ofMillis(pauseMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestbedException("Interrupted while waiting for the lock " + key, e);
            }
            pauseMillis = Math.min(pauseMillis * 2, LONGEST_PAUSE.toMillis());
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        }
    }

    private static void notify(Consumer<Holder> onWait, Holder holder) {
        if (onWait != null) {
            onWait.accept(holder);
        }
    }

    /** Releases the file lock, then the JVM lock. */
    @Override
    public void close() {
        try {
            fileLock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        } finally {
            closeQuietly(channel);
            jvmLock.unlock();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
