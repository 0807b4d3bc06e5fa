package io.testbed.core.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Transport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SshTransport} against the project's real test sshd (notes/SSHD.md). */
class SshTransportIT {

    private static final Duration READY = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private TestSshd sshd;

    @BeforeEach
    void authorizeKey() {
        sshd = TestSshd.authorize(dir.resolve("keys"));
    }

    @AfterEach
    void removeKey() {
        sshd.close();
    }

    @Test
    void authenticatesWithThePrefixKeyAndThePinnedHostKey() {
        Prefix prefix = Prefix.create(dir.resolve("prefixes"), "ssh-it");
        SshKeys.generate(prefix.keyFile(), "testbed-" + prefix.shortId()); // as the engine does
        try (TestSshd withPrefixKey = TestSshd.authorizeExisting(SshKeys.read(prefix.keyFile()));
                SshTransport transport = withPrefixKey.transport().build()) {
            transport.awaitReady(READY);
            Transport.Outcome outcome = transport.run("id -un; echo \"$0\" >&2", null, READY);
            assertThat(outcome.exitStatus()).isZero();
            assertThat(outcome.stdoutText().strip()).isEqualTo(sshd.user);
        }
    }

    @Test
    void refusesAServerPresentingAnotherHostKey() throws Exception {
        SshKeys.KeyFiles other = SshKeys.generate(dir.resolve("other/host_key"), "not-the-server");
        PinnedHostKey wrong = PinnedHostKey.parse(other.publicLine());
        PinnedHostKey real = PinnedHostKey.read(sshd.hostKeyFile);
        try (SshTransport transport = sshd.transport().hostKey(wrong).build()) {
            assertThatThrownBy(() -> transport.awaitReady(READY))
                    .isInstanceOf(HostKeyMismatchException.class)
                    .hasMessageContaining("expected ssh-ed25519 " + wrong.fingerprint())
                    .hasMessageContaining("presented ssh-ed25519 " + real.fingerprint())
                    .hasMessageContaining(sshd.user + "@" + sshd.host + ":" + sshd.port);
            assertThatThrownBy(() -> transport.exec("true", null)).isInstanceOf(HostKeyMismatchException.class);
        }
        // The fingerprint is the one OpenSSH shows for the server's key.
        Process keygen = new ProcessBuilder("ssh-keygen", "-lf", sshd.hostKeyFile.toString()).start();
        String listed = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keygen.waitFor()).isZero();
        assertThat(listed.split(" ")[1]).isEqualTo(real.fingerprint());
    }

    @Test
    void reconnectsAfterTheServerSideOfTheConnectionIsKilled() throws Exception {
        try (SshTransport transport = sshd.transport().build()) {
            transport.awaitReady(READY);
            long sessionProcess = Long.parseLong(
                    transport.run("echo $PPID", null, READY).stdoutText().strip());
            ProcessHandle sshdChild = ProcessHandle.of(sessionProcess).orElseThrow();
            assertThat(sshdChild.info().command().orElse("")).contains("sshd");
            assertThat(sshdChild.destroyForcibly()).isTrue();
            sshdChild.onExit().get();

            Transport.Outcome again = transport.run("echo $PPID", null, READY);
            assertThat(again.exitStatus()).isZero();
            assertThat(Long.parseLong(again.stdoutText().strip())).isNotEqualTo(sessionProcess);
        }
    }

    @Test
    void awaitReadyReplacesAConnectionThatStoppedAnswering() throws Exception {
        try (SshTransport transport = sshd.transport().build()) {
            transport.awaitReady(READY);
            long sessionProcess = Long.parseLong(
                    transport.run("echo $PPID", null, READY).stdoutText().strip());
            // A stopped server process keeps the TCP connection open but silent, as a reverted VM may.
            assertThat(new ProcessBuilder("kill", "-STOP", String.valueOf(sessionProcess))
                            .start()
                            .waitFor())
                    .isZero();
            try {
                long start = System.nanoTime();
                transport.awaitReady(READY);
                System.out.printf(
                        "awaitReady replaced a silent connection after %d ms%n",
                        (System.nanoTime() - start) / 1_000_000);
                long now = Long.parseLong(
                        transport.run("echo $PPID", null, READY).stdoutText().strip());
                assertThat(now).isNotEqualTo(sessionProcess);
            } finally {
                new ProcessBuilder("kill", "-CONT", String.valueOf(sessionProcess))
                        .start()
                        .waitFor();
            }
        }
    }

    @Test
    void reconnectsAfterDropConnection() {
        try (SshTransport transport = sshd.transport().build()) {
            transport.awaitReady(READY);
            String before = transport.run("echo $PPID", null, READY).stdoutText();
            transport.dropConnection();
            String after = transport.run("echo $PPID", null, READY).stdoutText();
            assertThat(after).isNotBlank().isNotEqualTo(before);
        }
    }

    @Test
    void feedsStandardInputAndKeepsOutputStreamsApart() {
        try (SshTransport transport = sshd.transport().build()) {
            byte[] input = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
            Transport.Outcome outcome = transport.run("cat; echo oops >&2; exit 7", input, READY);
            assertThat(outcome.exitStatus()).isEqualTo(7);
            assertThat(outcome.stdoutText()).isEqualTo("line one\nline two\n");
            assertThat(outcome.stderrText()).isEqualTo("oops\n");
        }
    }

    @Test
    void reportsAKillingSignalAsAShellWould() {
        try (SshTransport transport = sshd.transport().build()) {
            Transport.Outcome outcome = transport.run("exec sh -c 'kill -9 $$'", null, READY);
            assertThat(outcome.exitStatus()).isEqualTo(128 + 9);
        }
    }

    @ParameterizedTest(name = "sftp={0}")
    @ValueSource(booleans = {true, false})
    void uploadsAndDownloadsAFileIntact(boolean sftp) throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 12345];
        new SecureRandom().nextBytes(data);
        Path local = dir.resolve("random.bin");
        Files.write(local, data);
        Files.setPosixFilePermissions(local, PosixFilePermissions.fromString("rwxr-x---"));
        String remote = "/tmp/tb-it-" + UUID.randomUUID() + ".bin";
        Path back = dir.resolve("back.bin");
        try (SshTransport transport = sshd.transport().sftp(sftp).build()) {
            try {
                transport.upload(local, remote);
                Transport.Outcome sum = transport.run("sha256sum " + remote + "; stat -c %a " + remote, null, READY);
                assertThat(sum.exitStatus()).isZero();
                String[] lines = sum.stdoutText().split("\n");
                assertThat(lines[0].split(" ")[0]).isEqualTo(sha256(data));
                assertThat(lines[1]).isEqualTo("750");

                transport.download(remote, back);
                assertThat(sha256(Files.readAllBytes(back))).isEqualTo(sha256(data));
            } finally {
                transport.run("rm -f " + remote, null, READY);
            }
            assertThatThrownBy(() -> transport.download("/nonexistent/" + UUID.randomUUID(), dir.resolve("x")))
                    .hasMessageContaining("Cannot download")
                    .hasMessageContaining("/nonexistent/");
            assertThatThrownBy(() -> transport.upload(local, "/nonexistent/dir/file"))
                    .hasMessageContaining("Cannot upload")
                    .hasMessageContaining("/nonexistent/dir/file");
        }
    }

    @Test
    void awaitReadyNamesTargetAndTimeoutWhenNothingListens() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (SshTransport transport = sshd.transport().port(closedPort).build()) {
            assertThatThrownBy(() -> transport.awaitReady(Duration.ofMillis(700)))
                    .hasMessageContaining(sshd.user + "@" + sshd.host + ":" + closedPort)
                    .hasMessageContaining("did not answer within 700 ms")
                    .hasMessageContaining("Connection refused");
        }
    }

    @Test
    void refusesAnUnauthorizedKeyWithAHint() {
        SshKeys.KeyFiles stranger = SshKeys.generate(dir.resolve("stranger/id_ed25519"), "stranger");
        try (SshTransport transport =
                sshd.transport().privateKey(stranger.privateKey()).build()) {
            assertThatThrownBy(() -> transport.awaitReady(Duration.ofMillis(800)))
                    .hasMessageContaining("refused public key authentication as '" + sshd.user + "'")
                    .hasMessageContaining("authorized_keys");
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
