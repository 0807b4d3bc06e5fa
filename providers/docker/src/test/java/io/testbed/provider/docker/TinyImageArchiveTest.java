package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code docker save} archive the tiny image is loaded from, written from a small tree. */
class TinyImageArchiveTest {

    @TempDir
    Path temp;

    @Test
    void theArchiveHasAManifestAConfigWhoseDiffIdMatchesTheLayerAndTheLayerKeepsModesAndLinks() throws Exception {
        Path tree = Files.createDirectories(temp.resolve("root"));
        Files.createDirectories(tree.resolve("usr/bin"));
        Path sh = Files.writeString(tree.resolve("usr/bin/busybox"), "#!fake\n");
        Files.setPosixFilePermissions(sh, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(tree.resolve("usr/bin/sh"), Path.of("busybox"));
        Files.createSymbolicLink(tree.resolve("bin"), Path.of("usr/bin"));
        Files.createDirectories(tree.resolve("usr/lib/modules/6.1/kernel"));
        Files.writeString(tree.resolve("usr/lib/modules/6.1/kernel/x.ko"), "module");
        Files.createDirectories(tree.resolve("lost+found"));
        Files.createDirectories(tree.resolve("tmp"));
        Files.setPosixFilePermissions(tree.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));

        Path archive = temp.resolve("image.tar");
        long layerBytes = TinyImage.writeImageArchive(tree, "k3y", archive);

        Map<String, byte[]> files = read(Files.newInputStream(archive));
        JsonNode manifest =
                new ObjectMapper().readTree(files.get("manifest.json")).get(0);
        assertThat(manifest.get("RepoTags").get(0).asText()).isEqualTo("testbed/tiny:k3y");
        byte[] config = files.get(manifest.get("Config").asText());
        byte[] layer = files.get(manifest.get("Layers").get(0).asText());
        assertThat(layer).hasSize((int) layerBytes);
        JsonNode configJson = new ObjectMapper().readTree(config);
        assertThat(configJson.get("rootfs").get("diff_ids").get(0).asText()).isEqualTo("sha256:" + sha256(layer));
        assertThat(manifest.get("Config").asText()).isEqualTo(sha256(config) + ".json");
        assertThat(configJson.get("os").asText()).isEqualTo("linux");
        assertThat(configJson
                        .get("config")
                        .get("Labels")
                        .get("io.testbed.template.key")
                        .asText())
                .isEqualTo("k3y");

        Map<String, TarArchiveEntry> entries = entries(new ByteArrayInputStream(layer));
        assertThat(entries)
                .containsKeys("usr/", "usr/bin/", "usr/bin/busybox", "usr/bin/sh", "bin", "tmp/")
                .doesNotContainKeys("lost+found/", "usr/lib/modules/", "usr/lib/modules/6.1/kernel/x.ko");
        assertThat(entries.get("usr/bin/busybox").getMode() & 0777).isEqualTo(0750);
        assertThat(entries.get("tmp/").getMode() & 0777).isEqualTo(0777);
        assertThat(entries.get("usr/bin/sh").isSymbolicLink()).isTrue();
        assertThat(entries.get("usr/bin/sh").getLinkName()).isEqualTo("busybox");
        assertThat(entries.get("bin").getLinkName()).isEqualTo("usr/bin");
        assertThat(Files.exists(temp.resolve("layer.tar")))
                .as("temporary layer file removed")
                .isFalse();
    }

    private static Map<String, byte[]> read(InputStream in) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (entry.isFile()) {
                    files.put(entry.getName(), tar.readAllBytes());
                }
            }
        }
        return files;
    }

    private static Map<String, TarArchiveEntry> entries(InputStream in) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                entries.put(entry.getName(), entry);
            }
        }
        return entries;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
