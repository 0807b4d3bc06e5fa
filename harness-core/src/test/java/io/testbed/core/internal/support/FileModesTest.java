package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileModesTest {

    @Test
    void convertsBetweenBitsAndPermissions(@TempDir Path dir) throws Exception {
        assertThat(FileModes.bits(PosixFilePermissions.fromString("rwxr-x---"))).isEqualTo(0750);
        assertThat(FileModes.bits(FileModes.OWNER_ONLY_FILE)).isEqualTo(0600);
        assertThat(FileModes.bits(FileModes.READABLE_DIRECTORY)).isEqualTo(0755);
        assertThat(FileModes.permissions(0100644)).isEqualTo(FileModes.READABLE_FILE); // file type bits ignored
        for (int mode = 0; mode < 01000; mode++) {
            assertThat(FileModes.bits(FileModes.permissions(mode))).isEqualTo(mode);
        }
        Path file = Files.createFile(dir.resolve("f"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThat(FileModes.of(file)).isEqualTo(0640);
    }
}
