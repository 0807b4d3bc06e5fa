package io.testbed.images;

import static io.testbed.images.TinyTemplateRecipe.COMMAND_LINE;
import static io.testbed.images.TinyTemplateRecipe.DYNAMIC_LOADER;
import static io.testbed.images.TinyTemplateRecipe.INITRAMFS_MODULES;
import static io.testbed.images.TinyTemplateRecipe.ROOT_DISK_BYTES;
import static io.testbed.images.TinyTemplateRecipe.ROOT_LABEL;
import static io.testbed.images.TinyTemplateRecipe.STATIC_BUSYBOX_PACKAGE;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * One build of the tiny template: downloads and unpacks the packages into a staging tree, then writes the
 * kernel, the initramfs (busybox-static and the virtio modules, {@code cpio} newc + gzip) and the root disk (the
 * {@link TinyRootTree} through {@code mkfs.ext4 -d}, converted to a compact qcow2) into the output directory.
 */
final class TinyBuild {

    private final DebianPackages packages;
    private final List<TemplateInput> inputs;
    private final Path output;
    private final Path work;
    private final Consumer<String> progress;
    private final Path staging;
    private final Instant start = Instant.now();
    private final Map<String, List<String>> contents = new LinkedHashMap<>();
    private KernelModules kernel;
    private Path staticBusybox;
    private Path busybox;
    private List<String> initramfsApplets;
    private List<String> applets;

    TinyBuild(DebianPackages packages, List<TemplateInput> inputs, Path output, Path work, Consumer<String> progress) {
        this.packages = packages;
        this.inputs = inputs;
        this.output = output;
        this.work = work;
        this.progress = progress;
        this.staging = work.resolve("staging");
    }

    TemplateRecipe.BuildResult run() throws IOException {
        Path debs = Files.createDirectories(work.resolve("debs"));
        List<DebianPackages.Candidate> candidates = inputs.stream()
                .map(input ->
                        new DebianPackages.Candidate(input.name(), input.version(), input.sha256(), input.size(), ""))
                .toList();
        Map<String, Path> files = packages.download(candidates, debs);
        step("unpacking " + files.size() + " packages with dpkg-deb -x");
        Files.createDirectories(staging);
        for (Map.Entry<String, Path> deb : files.entrySet()) {
            // busybox-static and busybox both ship /bin/busybox
            DebianPackages.extract(
                    deb.getValue(),
                    deb.getKey().equals(STATIC_BUSYBOX_PACKAGE)
                            ? Files.createDirectories(work.resolve(STATIC_BUSYBOX_PACKAGE))
                            : staging);
        }
        FileTrees.deleteQuietly(debs);
        kernel = KernelModules.find(staging);
        step("kernel " + kernel.kernelVersion() + ": " + kernel.index().size() + " modules available");
        findBusybox();
        Files.copy(staging.resolve("boot/vmlinuz-" + kernel.kernelVersion()), output.resolve(TemplateRecipe.KERNEL));
        buildInitramfs();
        Path root = work.resolve("root");
        long rootBytes = new TinyRootTree(
                        staging, kernel, staticBusybox, busybox, applets, inputs, contents, this::step)
                .write(root);
        long virtualSize = buildRootDisk(root);
        return new TemplateRecipe.BuildResult(kernel.kernelVersion(), COMMAND_LINE, virtualSize, rootBytes, contents);
    }

    private void step(String message) {
        progress.accept(String.format(
                "  [%5.1f s] %s", Duration.between(start, Instant.now()).toMillis() / 1000.0, message));
    }

    private void findBusybox() {
        Path staticTree = work.resolve(STATIC_BUSYBOX_PACKAGE);
        staticBusybox = Stream.of("bin/busybox", "usr/bin/busybox")
                .map(staticTree::resolve)
                .filter(Files::isRegularFile)
                .findFirst()
                .orElseThrow(() -> new TemplateException(STATIC_BUSYBOX_PACKAGE + " holds no bin/busybox"));
        initramfsApplets = lines(Programs.check(
                        Programs.of(staticBusybox.toString(), "--list-full"), "list the static busybox's applets")
                .stdout());
        busybox = firstExisting(staging, List.of("bin/busybox", "usr/bin/busybox"), "busybox");
        // run the root's (dynamic) busybox with the unpacked loader and libc, not the host's
        Path loader = firstExisting(
                staging,
                List.of("lib/x86_64-linux-gnu/" + DYNAMIC_LOADER, "usr/lib/x86_64-linux-gnu/" + DYNAMIC_LOADER),
                "libc6");
        String libraryPath = LibraryClosure.LIBRARY_DIRECTORIES.stream()
                .map(staging::resolve)
                .map(Path::toString)
                .collect(Collectors.joining(":"));
        applets = lines(Programs.check(
                        Programs.of(
                                loader.toString(), "--library-path", libraryPath, busybox.toString(), "--list-full"),
                        "list busybox's applets")
                .stdout());
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** The first of {@code candidates} (relative to {@code staging}) that is a regular file. */
    static Path firstExisting(Path staging, List<String> candidates, String packageName) {
        for (String candidate : candidates) {
            Path path = staging.resolve(candidate);
            if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                return path;
            }
        }
        throw new TemplateException("None of " + candidates + " exists in the unpacked packages; has " + packageName
                + " moved its files? Update TinyTemplateRecipe.");
    }

    private void buildInitramfs() throws IOException {
        Path tree = work.resolve("initramfs");
        for (String directory : List.of("bin", "dev", "proc", "sys", "newroot", "etc", "lib/modules")) {
            Files.createDirectories(tree.resolve(directory));
        }
        Files.copy(staticBusybox, tree.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : initramfsApplets) {
            String name = Path.of(applet).getFileName().toString();
            Path link = tree.resolve("bin").resolve(name);
            if (!name.equals("busybox") && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("busybox"));
            }
        }
        FileTrees.write(tree.resolve("init"), TinyTemplateRecipe.script("initramfs-init"), "rwxr-xr-x");
        List<String> order = kernel.closure(INITRAMFS_MODULES);
        StringBuilder load = new StringBuilder();
        for (String module : order) {
            Path source = kernel.file(module);
            String file = source.getFileName().toString();
            Files.copy(source, tree.resolve("lib/modules").resolve(file));
            load.append(file).append('\n');
        }
        Files.writeString(tree.resolve("etc/modules.load"), load.toString());
        contents.put("initramfsModules", order);

        Path cpio = work.resolve("initramfs.cpio");
        Path list = work.resolve("initramfs.list");
        List<String> names;
        try (Stream<Path> paths = Files.walk(tree)) {
            names = paths.map(path -> tree.relativize(path).toString())
                    .map(name -> name.isEmpty() ? "." : name)
                    .sorted()
                    .toList();
        }
        Files.write(list, names);
        Programs.check(
                Programs.of("cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0")
                        .in(tree)
                        .stdinFrom(list)
                        .stdoutTo(cpio),
                "pack the initramfs");
        Path initrd = output.resolve(TemplateRecipe.INITRD);
        try (InputStream in = Files.newInputStream(cpio);
                OutputStream out = new GZIPOutputStream(Files.newOutputStream(initrd), 1 << 16)) {
            in.transferTo(out);
        }
        step(String.format(
                "initramfs: %d files, %d modules, %s cpio, %s gzip",
                names.size(),
                order.size(),
                TemplateStore.mib(Files.size(cpio)),
                TemplateStore.mib(Files.size(initrd))));
    }

    private long buildRootDisk(Path root) throws IOException {
        Path raw = work.resolve("root.raw");
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(ROOT_DISK_BYTES);
        }
        UUID uuid = UUID.nameUUIDFromBytes(inputs.toString().getBytes(StandardCharsets.UTF_8));
        Programs.check(
                Programs.of(
                                "mkfs.ext4",
                                "-q",
                                "-F",
                                "-L",
                                ROOT_LABEL,
                                "-U",
                                uuid.toString(),
                                "-m",
                                "0",
                                "-N",
                                "32768",
                                "-J",
                                "size=4",
                                "-E",
                                "lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0",
                                "-d",
                                root.toString(),
                                raw.toString())
                        .timeout(Duration.ofMinutes(5)),
                "make the root file system");
        step("mkfs.ext4 -d: " + TemplateStore.mib(ROOT_DISK_BYTES) + " raw root file system");
        Path qcow2 = output.resolve(TemplateRecipe.DISK);
        Programs.check(
                Programs.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString())
                        .timeout(Duration.ofMinutes(5)),
                "convert the root disk to qcow2");
        FileTrees.deleteQuietly(raw);
        ImageInfo info = ImageInfo.inspect(qcow2);
        step(String.format(
                "qemu-img convert -O qcow2: %s on disk (virtual %s)",
                TemplateStore.mib(info.actualSize()), TemplateStore.mib(info.virtualSize())));
        return info.virtualSize();
    }
}
