package io.testbed.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The built-in {@code tiny} template, made from Debian packages without installing or mounting anything:
 * {@code apt-get download} the exact versions, {@code dpkg-deb -x} them into a staging tree, pick the
 * files a test machine needs (with their shared-library closure), write an initramfs ({@code cpio} newc,
 * gzip) and an ext4 root ({@code mkfs.ext4 -d}), and convert the root to a compact qcow2.
 *
 * <p>The guest: the Debian cloud kernel; an initramfs with busybox that loads the virtio drivers and
 * {@code switch_root}s to the root labelled {@value #ROOT_LABEL}; a merged-/usr root with busybox (init,
 * shell, awk, modprobe), dropbear (password logins disabled), iproute2's {@code ip}, {@code tc} and
 * {@code bridge}, the kernel's traffic-control modules (sch_netem …) with {@code modules.dep}, and
 * OpenSSH's sftp-server where dropbear looks for it. Identity comes from a NoCloud seed; see
 * {@link SeedIso} and the {@code rcS} script. The build itself is {@link TinyBuild}.
 */
final class TinyTemplateRecipe implements TemplateRecipe {

    static final String NAME = TemplateStore.TINY;
    /** Bump when the Java side of the recipe changes what it produces (the scripts are hashed anyway). */
    static final String REVISION = "1";

    static final String KERNEL_METAPACKAGE = "linux-image-cloud-amd64";
    /**
     * The root's packages. busybox-static serves the initramfs and the build itself (it runs on any amd64
     * host); the root gets the dynamic busybox because busybox-static's shell prefers its own applets over
     * PATH, so `tc` and `ip` would be busybox's instead of iproute2's.
     */
    static final String STATIC_BUSYBOX_PACKAGE = "busybox-static";

    static final List<String> PACKAGES = List.of(
            STATIC_BUSYBOX_PACKAGE,
            "busybox",
            "dropbear-bin",
            "libtomcrypt1",
            "libtommath1",
            "libgmp10",
            "zlib1g",
            "libcrypt1",
            "libc6",
            "iproute2",
            "libbpf1",
            "libelf1",
            "libmnl0",
            "libbsd0",
            "libmd0",
            "libcap2",
            "libxtables12",
            "openssh-sftp-server");
    /**
     * Loaded by the initramfs, in dependency order, before the root is looked for. virtio_rng feeds the
     * kernel's random pool from the host when the VM has a virtio-rng device; without one, dropbear's first
     * key operation waits (about 2 s under TCG) for the pool to initialise.
     */
    static final List<String> INITRAMFS_MODULES = List.of(
            "failover",
            "net_failover",
            "virtio_ring",
            "virtio",
            "virtio_pci_modern_dev",
            "virtio_pci_legacy_dev",
            "virtio_pci",
            "virtio_blk",
            "virtio_net",
            "virtio_rng");
    /** Available to {@code modprobe} in the root (plus every module under {@link #ROOT_MODULE_DIRECTORY}). */
    static final List<String> ROOT_MODULES = List.of(
            "sch_netem",
            "isofs",
            "cdrom",
            "sr_mod",
            "ata_piix",
            "virtio_scsi",
            "ifb",
            "veth",
            "dummy",
            "bridge",
            "8021q",
            "virtio_console");

    static final String ROOT_MODULE_DIRECTORY = "kernel/net/sched";
    /** Programs: where the Debian package puts them (bookworm, or merged /usr) → where the root has them. */
    static final Map<List<String>, String> PROGRAMS = programs();

    static final String SFTP_SERVER = "usr/lib/openssh/sftp-server";
    static final String ROOT_LABEL = "testbed-root";
    static final long ROOT_DISK_BYTES = 512L << 20;
    /**
     * The guest kernel's command line. {@code init_on_free=1} zeroes every page the guest frees (the initramfs once
     * the root is mounted, page cache it drops): QEMU's {@code savevm} stores zero pages as a flag, so a snapshot of
     * the booted 128 MiB guest holds about 60 MB of state instead of 95 MB, and a revert has less to load.
     */
    static final String COMMAND_LINE = "console=ttyS0 root=LABEL=" + ROOT_LABEL + " quiet panic=-1 init_on_free=1";

    private static final List<String> SCRIPTS =
            List.of("initramfs-init", "inittab", "rcS", "rcK", "run-dropbear", "announce-ready");
    /** Where the root has its shared libraries. */
    static final String LIBRARY_TARGET = "usr/lib/x86_64-linux-gnu";

    static final String DYNAMIC_LOADER = "ld-linux-x86-64.so.2";
    /** The classes that decide what a build produces: hashed into {@link #version()}. */
    private static final List<Class<?>> BUILD_CLASSES = List.of(
            TinyTemplateRecipe.class,
            TinyBuild.class,
            TinyRootTree.class,
            KernelModules.class,
            LibraryClosure.class,
            ReseedProgram.class);

    private final DebianPackages packages;

    TinyTemplateRecipe(DebianPackages packages) {
        this.packages = packages;
    }

    private static Map<List<String>, String> programs() {
        Map<List<String>, String> programs = new LinkedHashMap<>();
        programs.put(List.of("bin/ip", "usr/bin/ip", "usr/sbin/ip"), "usr/bin/ip");
        programs.put(List.of("sbin/tc", "usr/sbin/tc"), "usr/sbin/tc");
        programs.put(List.of("sbin/bridge", "usr/sbin/bridge"), "usr/sbin/bridge");
        programs.put(List.of("usr/sbin/dropbear"), "usr/sbin/dropbear");
        programs.put(List.of("usr/bin/dbclient"), "usr/bin/dbclient");
        programs.put(List.of("usr/bin/dropbearkey"), "usr/bin/dropbearkey");
        programs.put(List.of("usr/lib/dropbear/dropbearconvert", "usr/bin/dropbearconvert"), "usr/bin/dropbearconvert");
        return programs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        StringBuilder everything = new StringBuilder(REVISION).append('\n');
        everything
                .append(PACKAGES)
                .append(INITRAMFS_MODULES)
                .append(ROOT_MODULES)
                .append(ROOT_MODULE_DIRECTORY)
                .append(PROGRAMS)
                .append(SFTP_SERVER)
                .append(ROOT_LABEL)
                .append(ROOT_DISK_BYTES)
                .append(COMMAND_LINE);
        for (String script : SCRIPTS) {
            everything.append('\n').append(script).append('\n').append(script(script));
        }
        // the compiled recipe too, so a code change cannot silently reuse templates built by older code
        for (Class<?> type : BUILD_CLASSES) {
            String compiled = type.getSimpleName() + ".class";
            everything.append('\n').append(compiled).append('\n').append(CacheKey.sha256Hex(resourceBytes(compiled)));
        }
        return "tiny-" + REVISION + "-"
                + CacheKey.sha256Hex(everything.toString().getBytes(StandardCharsets.UTF_8))
                        .substring(0, 12);
    }

    @Override
    public String inputsFingerprint() {
        return packages.listsFingerprint();
    }

    @Override
    public List<TemplateInput> resolveInputs(Consumer<String> progress) {
        packages.ensurePackageLists();
        DebianPackages.Candidate meta =
                packages.candidates(List.of(KERNEL_METAPACKAGE)).get(0);
        String kernelPackage = Stream.of(meta.depends().split("[,|]"))
                .map(dependency -> dependency.strip().split("\\s")[0])
                .filter(name -> name.startsWith("linux-image-"))
                .findFirst()
                .orElseThrow(() -> new TemplateException(KERNEL_METAPACKAGE + " " + meta.version()
                        + " depends on no linux-image-* package (Depends: " + meta.depends() + ")"));
        List<String> names = new ArrayList<>();
        names.add(kernelPackage);
        names.addAll(PACKAGES);
        return packages.candidates(names).stream()
                .map(DebianPackages.Candidate::asInput)
                .toList();
    }

    @Override
    public BuildResult build(List<TemplateInput> inputs, Path output, Path work, Consumer<String> progress) {
        try {
            return new TinyBuild(packages, inputs, output, work, progress).run();
        } catch (IOException e) {
            throw new TemplateException(
                    "Building the tiny template failed: " + e + "; check free space under " + work.getParent(), e);
        }
    }

    private static byte[] resourceBytes(String name) {
        try (InputStream in = TinyTemplateRecipe.class.getResourceAsStream(name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    static String script(String name) {
        try (InputStream in = TinyTemplateRecipe.class.getResourceAsStream("tiny/" + name)) {
            if (in == null) {
                throw new IllegalStateException("Resource tiny/" + name + " is missing from the testbed-images jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read resource tiny/" + name, e);
        }
    }
}
