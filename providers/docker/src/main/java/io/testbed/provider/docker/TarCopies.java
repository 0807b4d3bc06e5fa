package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.FileModes;
import io.testbed.core.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@link ExecTransport}'s file copies: tar streams through Docker's archive API ({@code copyArchiveToContainer} and
 * {@code copyArchiveFromContainer}). An upload is a one-entry archive with the local file's mode and time, written by
 * a helper thread as Docker reads it; a download follows symbolic links and replaces the local file atomically. The
 * container is addressed by name, as by the transport. Thread-safe.
 */
final class TarCopies {

    private static final int MAX_SYMLINK_HOPS = 8;

    private final DockerClient docker;
    private final String container;
    private final String target;

    /** @param target the container as messages name it */
    TarCopies(DockerClient docker, String container, String target) {
        this.docker = docker;
        this.container = container;
        this.target = target;
    }

    /** Copies {@code local} to {@code remotePath} (see {@link Transport#upload}); one retry on a broken connection. */
    void upload(Path local, String remotePath) {
        String path = absolute(remotePath);
        String name = path.substring(path.lastIndexOf('/') + 1);
        String parent = path.substring(0, path.lastIndexOf('/'));
        String what = "upload " + local + " to " + target + ":" + path;
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("remotePath (" + remotePath + ") must name a file, not a directory");
        }
        if (!Files.isRegularFile(local)) {
            throw new TestbedException("Cannot " + what + ": " + local + " is not a regular file");
        }
        for (int attempt = 1; ; attempt++) {
            try (InputStream tar = tarOf(local, name)) {
                docker.copyArchiveToContainerCmd(container)
                        .withRemotePath(parent.isEmpty() ? "/" : parent)
                        .withTarInputStream(tar)
                        .exec();
                return;
            } catch (NotFoundException e) {
                throw new TestbedException(
                        "Cannot " + what + ": the directory " + (parent.isEmpty() ? "/" : parent)
                                + " does not exist there, or the container is gone (" + DockerClients.dockerMessage(e)
                                + "). Create the directory first.",
                        e);
            } catch (DockerException e) {
                throw new TestbedException(
                        "Cannot " + what + ": " + DockerClients.dockerMessage(e)
                                + ". Check that the path is not a directory and that the file system is writable.",
                        e);
            } catch (IOException | RuntimeException e) {
                if (attempt >= 2) {
                    throw new TestbedException("Cannot " + what + ": " + DockerClients.rootMessage(e), e);
                }
            }
        }
    }

    /** A one-entry tar stream of {@code local}, written by a helper thread as it is read. */
    private static InputStream tarOf(Path local, String entryName) throws IOException {
        PipedInputStream in = new PipedInputStream(1 << 16);
        PipedOutputStream out = new PipedOutputStream(in);
        long size = Files.size(local);
        int mode = mode(local);
        long modified = Files.getLastModifiedTime(local).toMillis();
        Thread writer = new Thread(
                () -> {
                    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                        TarArchiveEntry entry = new TarArchiveEntry(entryName);
                        entry.setSize(size);
                        entry.setMode(mode);
                        entry.setModTime(modified);
                        tar.putArchiveEntry(entry);
                        Files.copy(local, tar);
                        tar.closeArchiveEntry();
                        tar.finish();
                    } catch (IOException | RuntimeException e) {
                        // the reader stopped (the upload failed or was abandoned), or the local file vanished: the
                        // daemon
                        // then sees a truncated archive and the upload fails with its error
                    }
                },
                "testbed-docker-upload");
        writer.setDaemon(true);
        writer.start();
        return in;
    }

    private static int mode(Path file) throws IOException {
        try {
            return TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | FileModes.of(file);
        } catch (UnsupportedOperationException e) {
            return TarArchiveEntry.DEFAULT_FILE_MODE;
        }
    }

    /** Copies {@code remotePath} to {@code local} (see {@link Transport#download}); follows symbolic links. */
    void download(String remotePath, Path local) {
        String path = absolute(remotePath);
        String what = "download " + target + ":" + path + " to " + local;
        for (int attempt = 1; ; attempt++) {
            try {
                copyOut(path, local, what);
                return;
            } catch (NotFoundException e) {
                throw new TestbedException(
                        "Cannot " + what + ": it does not exist there, or the container is gone ("
                                + DockerClients.dockerMessage(e) + ")",
                        e);
            } catch (DockerException e) {
                throw new TestbedException("Cannot " + what + ": " + DockerClients.dockerMessage(e), e);
            } catch (TestbedException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (attempt >= 2) {
                    throw new TestbedException(
                            "Cannot " + what + ": " + DockerClients.rootMessage(e)
                                    + ". Check that the local directory exists and is writable.",
                            e);
                }
            }
        }
    }

    private void copyOut(String path, Path local, String what) throws IOException {
        String current = path;
        for (int hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
            try (InputStream raw = docker.copyArchiveFromContainerCmd(container, current)
                            .exec();
                    TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
                TarArchiveEntry entry = tar.getNextEntry();
                if (entry == null) {
                    throw new TestbedException("Cannot " + what + ": Docker returned an empty archive");
                }
                if (entry.isDirectory()) {
                    throw new TestbedException("Cannot " + what + ": " + current + " is a directory; download the"
                            + " files in it one by one");
                }
                if (entry.isSymbolicLink()) {
                    String link = entry.getLinkName();
                    current = link.startsWith("/") ? link : current.substring(0, current.lastIndexOf('/') + 1) + link;
                    continue;
                }
                if (!entry.isFile()) {
                    throw new TestbedException("Cannot " + what + ": " + current + " is not a regular file");
                }
                Path partial = AtomicFiles.partialFileFor(local);
                try {
                    Files.copy(tar, partial);
                    AtomicFiles.commit(partial, local);
                } finally {
                    Files.deleteIfExists(partial);
                }
                return;
            }
        }
        throw new TestbedException("Cannot " + what + ": more than " + MAX_SYMLINK_HOPS + " symbolic links to follow");
    }

    /** Relative paths are taken from the container's root, the working directory of Testbed's execs. */
    private static String absolute(String remotePath) {
        if (remotePath.isEmpty()) {
            throw new IllegalArgumentException("remotePath must not be empty");
        }
        String path = remotePath.startsWith("/") ? remotePath : "/" + remotePath;
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }
}
