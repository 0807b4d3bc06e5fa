package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsers of external tools' output: apt-cache show, qemu-img info, ELF files. */
class ParsingTest {

    @Test
    void aptCacheShowStanzasGiveVersionHashSizeAndDepends() {
        String output = """
                Package: linux-image-cloud-amd64
                Source: linux-signed-amd64 (6.1.192+2)
                Version: 6.1.192-2
                Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)
                Size: 1484
                SHA256: 1111111111111111111111111111111111111111111111111111111111111111
                Description-en: Linux for x86-64 cloud (meta-package)
                 This package depends on the latest Linux kernel.

                Package: busybox-static
                Version: 1:1.35.0-4+deb12u1+b1
                Size: 928188
                SHA256: 3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744

                Package: busybox-static
                Version: 1:1.30.0-1
                Size: 1
                SHA256: 2222222222222222222222222222222222222222222222222222222222222222
                """;
        Map<String, DebianPackages.Candidate> parsed = DebianPackages.parseShow(output);
        assertThat(parsed).containsOnlyKeys("linux-image-cloud-amd64", "busybox-static");
        assertThat(parsed.get("linux-image-cloud-amd64").depends())
                .isEqualTo("linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)");
        assertThat(parsed.get("busybox-static"))
                .isEqualTo(new DebianPackages.Candidate(
                        "busybox-static",
                        "1:1.35.0-4+deb12u1+b1",
                        "3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744",
                        928188,
                        ""));
    }

    @Test
    void qemuImgInfoGivesFormatSizesAndBackingFile() {
        String json = """
                {
                    "virtual-size": 536870912,
                    "filename": "overlay.qcow2",
                    "cluster-size": 65536,
                    "format": "qcow2",
                    "actual-size": 200704,
                    "backing-filename": "/var/cache/testbed/templates/tiny/k/root.qcow2",
                    "dirty-flag": false
                }
                """;
        assertThat(ImageInfo.parse(json, Path.of("overlay.qcow2")))
                .isEqualTo(
                        new ImageInfo("qcow2", 536870912L, 200704L, "/var/cache/testbed/templates/tiny/k/root.qcow2"));
    }

    @Test
    void elfReaderFindsTheSharedLibrariesOfTheRunningJavaLauncher() {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        assertThat(ElfFile.isElf(java)).isTrue();
        assertThat(ElfFile.read(java).neededLibraries()).contains("libc.so.6");
        assertThat(ElfFile.read(java).modinfo("depends")).isEmpty();
    }
}
