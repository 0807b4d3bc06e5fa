package io.testbed.images;

import io.testbed.core.internal.support.FileModes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apiguardian.api.API;

/** Small java.nio helpers for whole directory trees; public only for the bench's bare-QEMU anchor. */
@API(status = API.Status.INTERNAL)
public final class FileTrees {
    private FileTrees() {}

    /** Deletes a file or a whole tree (not following symbolic links); ignores what is already gone. */
    public static void deleteQuietly(Path path) {
        if (path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            delete(path);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the caller is already handling another outcome
        }
    }

    static void delete(Path path) throws IOException {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(path);
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Creates a directory and its missing parents, each created one mode 0755 whatever the umask. */
    static void createReadableDirectories(Path directory) throws IOException {
        List<Path> created = new ArrayList<>();
        for (Path path = directory; path != null && !Files.exists(path); path = path.getParent()) {
            created.add(path);
        }
        Files.createDirectories(directory);
        for (Path path : created) {
            Files.setPosixFilePermissions(path, FileModes.READABLE_DIRECTORY);
        }
    }

    /** Makes a tree readable by everyone (the QEMU user): directories 0755, regular files 0644. */
    static void makeWorldReadable(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.setPosixFilePermissions(dir, FileModes.READABLE_DIRECTORY);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    Files.setPosixFilePermissions(file, FileModes.READABLE_FILE);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Total size of the regular files in a tree (symbolic links not followed). */
    static long size(Path root) throws IOException {
        AtomicLong total = new AtomicLong();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total.addAndGet(attrs.size());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total.get();
    }

    /** Copies a file with its attributes, creating the target's parent directories. */
    static void copy(Path source, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** Creates the symbolic link {@code root/link} → {@code target}, and its parent directories. */
    static void link(Path root, String link, String target) throws IOException {
        Path path = root.resolve(link);
        Files.createDirectories(path.getParent());
        Files.createSymbolicLink(path, Path.of(target));
    }

    /** Writes a UTF-8 text file with a mode such as {@code rw-r--r--}, creating its parent directories. */
    static void write(Path file, String text, String mode) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }
}
