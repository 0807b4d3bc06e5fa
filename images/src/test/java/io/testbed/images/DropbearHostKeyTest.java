package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.ssh.SshKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A generated host key in dropbear's format, and its way through a real shell's {@code printf '%b'}. */
class DropbearHostKeyTest {

    @TempDir
    Path dir;

    @Test
    void holdsTheKeyTypeThenTheSeedAndThePublicKeyOfTheOpenSshKey() throws IOException {
        SshKeys.KeyFiles keys = SshKeys.generate(dir.resolve("host"), "testbed-host-vm1");

        byte[] dropbear = DropbearHostKey.fromOpenSsh(Files.readString(keys.privateKey()));

        ByteBuffer in = ByteBuffer.wrap(dropbear);
        assertThat(in.getInt()).isEqualTo(11);
        byte[] type = new byte[11];
        in.get(type);
        assertThat(new String(type, StandardCharsets.US_ASCII)).isEqualTo("ssh-ed25519");
        assertThat(in.getInt()).isEqualTo(64);
        assertThat(in.remaining()).isEqualTo(64);
        // the public key in the public line's blob: string "ssh-ed25519", string of 32 bytes
        byte[] blob = Base64.getDecoder().decode(keys.publicLine().split(" ")[1]);
        byte[] publicKey = Arrays.copyOfRange(blob, blob.length - 32, blob.length);
        assertThat(Arrays.copyOfRange(dropbear, dropbear.length - 32, dropbear.length))
                .isEqualTo(publicKey);
    }

    @Test
    void aShellsPrintfOfTheEscapedTextWritesTheExactBytes() throws IOException {
        byte[] dropbear = DropbearHostKey.fromOpenSsh(
                Files.readString(SshKeys.generate(dir.resolve("host"), "c").privateKey()));
        Path written = dir.resolve("dropbear_ed25519_host_key");

        LocalCommand.of(
                        "sh",
                        "-c",
                        "printf '%b' \"$1\" > \"$2\"",
                        "sh",
                        DropbearHostKey.printfEscaped(dropbear),
                        written.toString())
                .check("write the key with printf");

        assertThat(Files.readAllBytes(written)).isEqualTo(dropbear);
    }

    @Test
    void refusesWhatIsNotAnOpenSshKey() {
        assertThatThrownBy(() -> DropbearHostKey.fromOpenSsh(
                        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openssh-key-v1");
    }
}
