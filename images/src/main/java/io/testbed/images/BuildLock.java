package io.testbed.images;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The in-process lock plus the cross-process file lock for building one template name: threads of one JVM wait on
 * the first, other JVMs on the second ({@link FileChannel#lock()} is per process).
 */
final class BuildLock implements AutoCloseable {

    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private BuildLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    static BuildLock acquire(Path lockFile, Consumer<String> progress, String name) {
        ReentrantLock threadLock = IN_PROCESS_LOCKS.computeIfAbsent(lockFile, path -> new ReentrantLock());
        if (!threadLock.tryLock()) {
            progress.accept("template " + name + ": another thread is building it; waiting");
            threadLock.lock();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                progress.accept("template " + name + ": another process is building it (" + lockFile
                        + "); waiting");
                lock = channel.lock();
            }
            try {
                Files.setPosixFilePermissions(lockFile, FileTrees.FILE_MODE);
            } catch (IOException ignored) {
                // another user's lock file: it still locks
            }
            return new BuildLock(threadLock, channel, lock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            threadLock.unlock();
            throw new TemplateException("Cannot lock " + lockFile + " to build template " + name + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        } finally {
            closeQuietly(channel);
            threadLock.unlock();
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
