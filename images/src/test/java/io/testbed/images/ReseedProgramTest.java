package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny guest's reseed program is a valid x86-64 executable that reseeds this very host's generator. */
class ReseedProgramTest {

    @TempDir
    Path directory;

    @Test
    void isOneLoadableSegmentWhoseEntryPointIsItsCode() {
        byte[] elf = ReseedProgram.elf();
        ByteBuffer header = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(elf).hasSize(179).startsWith(0x7f, 'E', 'L', 'F', 2, 1, 1);
        assertThat(header.getShort(18)).isEqualTo((short) 0x3e);
        assertThat(header.getLong(24)).isEqualTo(0x400000L + 64 + 56);
        assertThat(header.getShort(56)).isEqualTo((short) 1);
        assertThat(header.getLong(64 + 32)).as("p_filesz").isEqualTo(elf.length);
        assertThat(new String(elf, elf.length - 13, 12, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("/dev/urandom");
    }

    @Test
    void runsOnThisHostAndReseedsAsRootOrIsRefusedOtherwise() throws IOException {
        assumeTrue(System.getProperty("os.arch").equals("amd64")
                && System.getProperty("os.name").equals("Linux"));
        Path program = directory.resolve("reseed");
        Files.write(program, ReseedProgram.elf());
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));

        LocalCommand.Result result = LocalCommand.of(program.toString()).run();

        boolean root = "root".equals(System.getProperty("user.name"));
        // 0: reseeded; 1: EPERM, the ioctl needs CAP_SYS_ADMIN
        assertThat(result.exitCode()).isEqualTo(root ? 0 : 1);
    }
}
