package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.ssh.SshKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed ISO as genisoimage writes it, read back with isoinfo. */
class SeedIsoIT {

    @TempDir
    Path directory;

    @Test
    void writesAPrivateIsoLabelledCidataHoldingTheThreeNoCloudFilesAndTheShellFile() throws IOException {
        SshKeys.KeyFiles client = SshKeys.generate(directory.resolve("keys/client"), "client");
        SshKeys.KeyFiles host = SshKeys.generate(directory.resolve("keys/host"), "host");
        SeedIso seed = SeedIso.builder()
                .hostname("web")
                .authorizedKey(client.publicLine())
                .hostKey(host)
                .nic(new SeedIso.Nic(
                        "52:54:00:00:00:01",
                        InetAddress.getByName("198.18.7.10"),
                        24,
                        InetAddress.getByName("198.18.7.1"),
                        0))
                .build();
        Path machine = Files.createDirectories(directory.resolve("machine"));

        Path iso = seed.writeTo(machine);

        assertThat(iso).isEqualTo(machine.resolve("seed.iso"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(iso)))
                .isEqualTo("rw-------");
        assertThat(LocalCommand.of("isoinfo", "-d", "-i", iso.toString())
                        .check("read the ISO")
                        .stdout())
                .contains("Volume id: cidata");
        assertThat(read(iso, "meta-data")).isEqualTo(seed.metaData());
        assertThat(read(iso, "user-data")).isEqualTo(seed.userData());
        assertThat(read(iso, "network-config")).isEqualTo(seed.networkConfig());
        assertThat(read(iso, "testbed.env")).isEqualTo(seed.shellFile());
        try (Stream<Path> files = Files.list(machine)) {
            assertThat(files).containsExactly(iso);
        }
    }

    private static String read(Path iso, String file) {
        return LocalCommand.of("isoinfo", "-R", "-i", iso.toString(), "-x", "/" + file)
                .check("read " + file)
                .stdout();
    }
}
