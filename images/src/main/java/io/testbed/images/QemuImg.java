package io.testbed.images;

import java.nio.file.Path;
import java.time.Duration;

/** Disk images for machines: copy-on-write overlays on templates and empty data disks, via {@code qemu-img}. */
public final class QemuImg {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private QemuImg() {}

    /**
     * Creates a qcow2 overlay at {@code overlay} whose backing file is the template's disk, so a machine starts
     * from the template without copying it (a few hundred KiB until the guest writes).
     *
     * @throws TemplateException naming the command, exit code and stderr when qemu-img fails
     */
    public static Path overlay(Template template, Path overlay) {
        Programs.check(
                Programs.of(
                                "qemu-img",
                                "create",
                                "-q",
                                "-f",
                                "qcow2",
                                "-F",
                                template.diskFormat().qemuName(),
                                "-b",
                                template.disk().toString(),
                                overlay.toString())
                        .timeout(TIMEOUT),
                "create the overlay " + overlay);
        return overlay;
    }

    /**
     * Creates an empty, sparse qcow2 disk of {@code sizeMb} MiB at {@code file}.
     *
     * @throws TemplateException naming the command, exit code and stderr when qemu-img fails
     */
    public static Path empty(Path file, int sizeMb) {
        Programs.check(
                Programs.of("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), sizeMb + "M")
                        .timeout(TIMEOUT),
                "create the disk " + file);
        return file;
    }
}
