package io.testbed.core.internal.support;

import io.testbed.core.internal.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.apiguardian.api.API;

/**
 * Replaces files so that a reader, or the next run after a crash, sees the old content or the new one, never a
 * part: the content goes to a temporary file in the same directory, which is then renamed over the target (a
 * rename within one file system is atomic on POSIX). Temporary files are named {@code .<name>.<random>.tmp} and
 * created with the process's umask, like the target would be.
 */
@API(status = API.Status.INTERNAL)
public final class AtomicFiles {

    private AtomicFiles() {}

    /**
     * Replaces {@code target} with {@code content} atomically. Not forced to disk: after a power loss the file may
     * be old, but never torn. Enough for what a crashed run leaves behind anyway (prefix metadata).
     *
     * @throws IOException when the directory is not writable, or the file system cannot rename atomically
     */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, false);
    }

    /**
     * Replaces {@code target} with {@code content} atomically and durably: the temporary file is fsync'd before
     * the rename and the directory after it, so neither a SIGKILL nor a power loss loses or tears it. For state
     * shared between processes (the lease index, the owner registry).
     *
     * @throws IOException when the directory is not writable, or the file system cannot rename atomically
     */
    public static void writeDurably(Path target, byte[] content) throws IOException {
        write(target, content, true);
    }

    /** {@link #write} of {@code value} as indented JSON ({@link Json#pretty()}). */
    public static void writeJson(Path target, Object value) throws IOException {
        write(target, Json.pretty().writeValueAsBytes(value), false);
    }

    /** {@link #writeDurably} of {@code value} as indented JSON ({@link Json#pretty()}). */
    public static void writeJsonDurably(Path target, Object value) throws IOException {
        write(target, Json.pretty().writeValueAsBytes(value), true);
    }

    /**
     * Renames a finished temporary file over {@code target} atomically, for content written as a stream (a
     * download). {@code partial} must be in the same directory.
     *
     * @throws IOException when the rename fails or is not atomic on this file system
     */
    public static void commit(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " cannot rename atomically", e);
        }
    }

    /** A fresh temporary file name next to {@code target}, for {@link #commit}; nothing is created. */
    public static Path partialFileFor(Path target) {
        Path absolute = target.toAbsolutePath();
        return absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    private static void write(Path target, byte[] content, boolean durable) throws IOException {
        Path temp = partialFileFor(target);
        try {
            try (FileChannel channel =
                    FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            commit(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        if (durable) {
            try (FileChannel directory = FileChannel.open(temp.getParent(), StandardOpenOption.READ)) {
                directory.force(true); // makes the rename itself durable
            } catch (IOException e) {
                // some file systems cannot fsync a directory; the rename is atomic all the same
            }
        }
    }
}
