package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local image files as templates, inspected with the real qemu-img. */
class ImageTemplateIT {

    @TempDir
    Path directory;

    private TemplateStore store() {
        return TemplateStore.open(directory.resolve("store"), line -> {});
    }

    @Test
    void qcow2FileIsATemplateThatBootsFromItsOwnDisk() {
        Path image = directory.resolve("cloud.qcow2");
        LocalCommand.of("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "64M")
                .check("create an image");
        Template template = store().resolve(image.toString());
        assertThat(template.kind()).isEqualTo(Template.Kind.IMAGE);
        assertThat(template.diskFormat()).isEqualTo(Template.DiskFormat.QCOW2);
        assertThat(template.disk()).isEqualTo(image);
        assertThat(template.bootsFromKernel()).isFalse();
        assertThat(template.kernel()).isEmpty();
        assertThat(template.manifest().diskVirtualSize()).isEqualTo(64L << 20);
        assertThat(template.manifest().diskFormat()).isEqualTo("qcow2");
    }

    @Test
    void rawFileIsDetectedAsRaw() throws IOException {
        Path image = directory.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(8L << 20);
        }
        Template template = store().resolve(image.toString());
        assertThat(template.diskFormat()).isEqualTo(Template.DiskFormat.RAW);
        assertThat(template.manifest().diskVirtualSize()).isEqualTo(8L << 20);
    }

    @Test
    void otherFormatsAreRejectedWithAConversionHint() {
        Path image = directory.resolve("disk.vmdk");
        LocalCommand.of("qemu-img", "create", "-q", "-f", "vmdk", image.toString(), "16M")
                .check("create an image");
        assertThatThrownBy(() -> store().resolve(image.toString()))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("is in format 'vmdk'; only qcow2 and raw are accepted")
                .hasMessageContaining("qemu-img convert -O qcow2");
    }

    @Test
    void smallNonImageFileIsRejected() throws IOException {
        Path notes = Files.writeString(directory.resolve("notes.img"), "not a disk\n");
        assertThatThrownBy(() -> store().resolve(notes.toString()))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("does not look like a disk image");
    }
}
