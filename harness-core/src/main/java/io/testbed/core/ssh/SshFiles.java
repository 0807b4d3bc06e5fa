package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.FileModes;
import io.testbed.core.internal.support.ShellQuoting;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.xfer.FileSystemFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File copies of an {@link SshTransport}: over SFTP when the server offers it, otherwise through {@code cat} on an
 * exec channel (busybox has no {@code scp}); either way once more on a fresh connection when the connection broke
 * under a copy (copies are idempotent). File modes travel with the file.
 */
final class SshFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SshFiles.class);

    private final SshConnection connection;
    private final SshSettings settings;
    private final String target;

    SshFiles(SshConnection connection, SshSettings settings) {
        this.connection = connection;
        this.settings = settings;
        this.target = settings.target();
    }

    void upload(Path local, String remotePath) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remotePath, "remotePath");
        if (!Files.isRegularFile(local) || !Files.isReadable(local)) {
            throw new TestbedException("Cannot upload " + local + " to " + target + ":" + remotePath
                    + ": it is not a readable regular file");
        }
        transfer("upload " + local + " to " + target + ":" + remotePath, c -> {
            SFTPClient s = connection.sftp(c);
            if (s != null) {
                s.put(new PosixFile(local), remotePath);
            } else {
                uploadWithCat(local, remotePath);
            }
        });
    }

    void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        transfer("download " + target + ":" + remotePath + " to " + local, c -> {
            SFTPClient s = connection.sftp(c);
            if (s != null) {
                s.get(remotePath, new PosixFile(local));
            } else {
                downloadWithCat(remotePath, local);
            }
        });
    }

    private interface TransferStep {
        void run(SSHClient client) throws IOException;
    }

    /** Runs a file transfer, once more on a fresh connection if the connection broke under it (it is idempotent). */
    private void transfer(String what, TransferStep step) {
        for (int attempt = 1; ; attempt++) {
            SSHClient c = connection.connection(settings.reconnectTimeout());
            try {
                step.run(c);
                return;
            } catch (IOException | TestbedException e) {
                boolean broken = !c.isConnected();
                if (broken && attempt == 1) {
                    LOG.debug("Connection to {} broke during {}; retrying once", target, what);
                    connection.discard(c);
                    continue;
                }
                throw new TestbedException(
                        "Cannot " + what + ": " + SshConnection.describe(e)
                                + ". Check that the remote directory exists and that user '" + settings.user()
                                + "' may write"
                                + " (upload) or read (download) the file there.",
                        e);
            }
        }
    }

    private void uploadWithCat(Path local, String remotePath) throws IOException {
        String mode = "";
        try {
            mode = " && chmod " + Integer.toOctalString(FileModes.of(local)) + " " + quote(remotePath);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the remote default mode
        }
        SshExecution execution = connection.start("cat > " + quote(remotePath) + mode, null);
        try (execution) {
            try (InputStream in = Files.newInputStream(local);
                    OutputStream out = execution.stdin()) {
                in.transferTo(out);
                out.flush(); // ChannelOutputStream.close() does not flush what exceeds the remote window
            }
            int status = execution.await(settings.requestTimeout());
            if (status != 0) {
                throw new IOException("remote 'cat' exited " + status + ": "
                        + new String(execution.stderr(), StandardCharsets.UTF_8).strip());
            }
        }
    }

    private void downloadWithCat(String remotePath, Path local) throws IOException {
        Path partial = AtomicFiles.partialFileFor(local);
        try {
            try (OutputStream out = Files.newOutputStream(partial)) {
                SshExecution execution = connection.start("cat " + quote(remotePath), out);
                try (execution) {
                    execution.stdin().close();
                    int status = execution.await(settings.requestTimeout());
                    if (status != 0) {
                        throw new IOException("remote 'cat' exited " + status + ": "
                                + new String(execution.stderr(), StandardCharsets.UTF_8).strip());
                    }
                }
            }
            AtomicFiles.commit(partial, local);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private static String quote(String remotePath) {
        try {
            return ShellQuoting.quote(remotePath);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("remote path must not contain a NUL character", e);
        }
    }

    /** sshj's local file with its real POSIX mode (sshj's own reports 0644 for every file). */
    private static final class PosixFile extends FileSystemFile {
        private final Path path;

        PosixFile(Path path) {
            super(path.toFile());
            this.path = path;
        }

        @Override
        public int getPermissions() throws IOException {
            try {
                return FileModes.of(path);
            } catch (UnsupportedOperationException e) {
                return super.getPermissions();
            }
        }

        @Override
        public void setPermissions(int perms) throws IOException {
            try {
                Files.setPosixFilePermissions(path, FileModes.permissions(perms));
            } catch (UnsupportedOperationException e) {
                super.setPermissions(perms);
            }
        }
    }
}
