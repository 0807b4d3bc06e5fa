package io.testbed.images;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A resolved template: what a VM boots from. Either {@linkplain Kind#BUILT built} by the
 * {@link TemplateStore} (a kernel, an initramfs and a root disk, booted with {@link #kernelCommandLine()}),
 * or a local {@linkplain Kind#IMAGE image} file (qcow2 or raw) that boots from its own disk.
 *
 * <p>A template's files are read-only and shared: machines get copy-on-write qcow2 overlays whose
 * backing file is {@link #disk()} (format {@link #diskFormat()}), never the file itself.
 *
 * @param name              the name it was resolved from ({@code tiny}, or the image's absolute path)
 * @param kind              built or image
 * @param disk              the root disk (absolute path)
 * @param diskFormat        the root disk's format, for the overlay's {@code backing_fmt}
 * @param kernel            the kernel, for built templates
 * @param initrd            the initramfs, for built templates
 * @param kernelCommandLine the kernel command line to boot with, for built templates
 * @param manifest          what went in and how big it is
 */
@API(status = API.Status.INTERNAL)
public record Template(
        String name,
        Kind kind,
        Path disk,
        DiskFormat diskFormat,
        Optional<Path> kernel,
        Optional<Path> initrd,
        Optional<String> kernelCommandLine,
        TemplateManifest manifest) {

    /** Where a template comes from. */
    public enum Kind {
        /** Built by a recipe in the template store; boots with its own kernel and initramfs. */
        BUILT,
        /** A local disk image file; boots through its own boot loader. */
        IMAGE
    }

    /** Disk image formats a template may have. */
    public enum DiskFormat {
        QCOW2("qcow2"),
        RAW("raw");

        private final String qemuName;

        DiskFormat(String qemuName) {
            this.qemuName = qemuName;
        }

        /** The name QEMU and libvirt use ({@code qcow2}, {@code raw}). */
        public String qemuName() {
            return qemuName;
        }

        /** The format for a {@code qemu-img info} format name. */
        public static Optional<DiskFormat> fromQemuName(String name) {
            for (DiskFormat format : values()) {
                if (format.qemuName.equals(name)) {
                    return Optional.of(format);
                }
            }
            return Optional.empty();
        }
    }

    public Template {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(diskFormat, "diskFormat");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(kernelCommandLine, "kernelCommandLine");
        Objects.requireNonNull(manifest, "manifest");
        if (kind == Kind.BUILT && (kernel.isEmpty() || initrd.isEmpty() || kernelCommandLine.isEmpty())) {
            throw new IllegalArgumentException(
                    "Template " + name + ": a built template needs a kernel, an initrd " + "and a kernel command line");
        }
    }

    /** Whether the VM boots with {@link #kernel()} and {@link #initrd()} directly (no boot loader). */
    public boolean bootsFromKernel() {
        return kernel.isPresent();
    }
}
