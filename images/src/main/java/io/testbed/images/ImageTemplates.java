package io.testbed.images;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Templates that are local disk images given by path, checked with {@code qemu-img info} (no cache, no build). */
final class ImageTemplates {

    private ImageTemplates() {}

    /**
     * A template for a local qcow2 or raw disk image file.
     *
     * @throws TemplateException when the file is missing, unreadable, in another format or not a disk image
     */
    static Template inspect(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(absolute)) {
            throw new TemplateException("Template image " + absolute + " does not exist or is not a regular file; "
                    + "give the path of a qcow2 or raw disk image");
        }
        if (!Files.isReadable(absolute)) {
            throw new TemplateException("Template image " + absolute + " is not readable; fix its permissions "
                    + "(the QEMU user must be able to read it too)");
        }
        ImageInfo info = ImageInfo.inspect(absolute);
        Template.DiskFormat format = Template.DiskFormat.fromQemuName(info.format())
                .orElseThrow(
                        () -> new TemplateException("Template image " + absolute + " is in format '" + info.format()
                                + "'; only qcow2 and raw are accepted. Convert it with `qemu-img convert -O qcow2`"));
        if (format == Template.DiskFormat.RAW && (info.virtualSize() < 1 << 20 || info.virtualSize() % 512 != 0)) {
            throw new TemplateException("Template image " + absolute + " does not look like a disk image (raw, "
                    + info.virtualSize() + " bytes: not a multiple of 512 or under 1 MiB)");
        }
        TemplateManifest manifest = new TemplateManifest(
                absolute.toString(),
                Template.Kind.IMAGE,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null,
                Map.of(absolute.getFileName().toString(), info.actualSize()),
                info.format(),
                info.virtualSize(),
                info.actualSize(),
                0,
                Map.of());
        return new Template(
                absolute.toString(),
                Template.Kind.IMAGE,
                absolute,
                format,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                manifest);
    }
}
