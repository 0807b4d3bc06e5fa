package io.testbed.core.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinnedHostKeyTest {

    @TempDir
    Path dir;

    @Test
    void fingerprintIsTheOneSshKeygenPrints() throws Exception {
        SshKeys.KeyFiles key = SshKeys.generate(dir.resolve("host"), "host-key");
        PinnedHostKey pinned = PinnedHostKey.parse(key.publicLine());
        Process keygen = new ProcessBuilder("ssh-keygen", "-lf", key.publicKey().toString()).start();
        String listed = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keygen.waitFor()).isZero();
        assertThat(pinned.fingerprint()).isEqualTo(listed.split(" ")[1]);
        assertThat(pinned.type()).isEqualTo("ssh-ed25519");
        assertThat(PinnedHostKey.read(key.publicKey()).fingerprint()).isEqualTo(pinned.fingerprint());
    }

    @Test
    void verifierAcceptsOnlyThePinnedKey() {
        PinnedHostKey pinned =
                PinnedHostKey.parse(SshKeys.generate(dir.resolve("a"), "a").publicLine());
        PinnedHostKey other =
                PinnedHostKey.parse(SshKeys.generate(dir.resolve("b"), "b").publicLine());
        PinnedHostKey.Verifier verifier = pinned.verifier();
        assertThat(verifier.findExistingAlgorithms("h", 22)).containsExactly("ssh-ed25519");
        assertThat(verifier.verify("h", 22, publicKey(pinned))).isTrue();
        assertThat(verifier.refused()).isNull();
        assertThat(verifier.verify("h", 22, publicKey(other))).isFalse();
        assertThat(PinnedHostKey.fingerprint(verifier.refused())).isEqualTo(other.fingerprint());
    }

    @Test
    void rejectsLinesThatAreNotPublicKeys() {
        assertThatThrownBy(() -> PinnedHostKey.parse("ssh-ed25519"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OpenSSH public key line");
        assertThatThrownBy(() -> PinnedHostKey.parse("ssh-ed25519 not-base64!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a readable");
        String line = SshKeys.generate(dir.resolve("c"), "c").publicLine();
        assertThatThrownBy(() -> PinnedHostKey.parse(line.replace("ssh-ed25519", "ssh-rsa")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds a ssh-ed25519 key");
    }

    private static java.security.PublicKey publicKey(PinnedHostKey key) {
        try {
            java.lang.reflect.Field blob = PinnedHostKey.class.getDeclaredField("blob");
            blob.setAccessible(true);
            return new net.schmizz.sshj.common.Buffer.PlainBuffer((byte[]) blob.get(key)).readPublicKey();
        } catch (ReflectiveOperationException | net.schmizz.sshj.common.Buffer.BufferException e) {
            throw new AssertionError(e);
        }
    }
}
