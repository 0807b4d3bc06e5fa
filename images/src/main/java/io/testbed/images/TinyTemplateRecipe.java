package io.testbed.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

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
 * {@link SeedIso} and the {@code rcS} script.
 */
final class TinyTemplateRecipe implements TemplateRecipe {

    static final String NAME = TemplateStore.TINY;
    /** Bump when the Java side of the recipe changes what it produces (the scripts are hashed anyway). */
    private static final String REVISION = "1";

    static final String KERNEL_METAPACKAGE = "linux-image-cloud-amd64";
    /**
     * The root's packages. busybox-static serves the initramfs and the build itself (it runs on any amd64
     * host); the root gets the dynamic busybox because busybox-static's shell prefers its own applets over
     * PATH, so `tc` and `ip` would be busybox's instead of iproute2's.
     */
    static final String STATIC_BUSYBOX_PACKAGE = "busybox-static";
    static final List<String> PACKAGES = List.of(STATIC_BUSYBOX_PACKAGE, "busybox", "dropbear-bin", "libtomcrypt1", "libtommath1",
            "libgmp10", "zlib1g", "libcrypt1", "libc6", "iproute2", "libbpf1", "libelf1", "libmnl0", "libbsd0",
            "libmd0", "libcap2", "libxtables12", "openssh-sftp-server");
    /**
     * Loaded by the initramfs, in dependency order, before the root is looked for. virtio_rng feeds the
     * kernel's random pool from the host when the VM has a virtio-rng device; without one, dropbear's first
     * key operation waits (about 2 s under TCG) for the pool to initialise.
     */
    static final List<String> INITRAMFS_MODULES = List.of("failover", "net_failover", "virtio_ring", "virtio",
            "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio_pci", "virtio_blk", "virtio_net", "virtio_rng");
    /** Available to {@code modprobe} in the root (plus every module under {@link #ROOT_MODULE_DIRECTORY}). */
    static final List<String> ROOT_MODULES = List.of("sch_netem", "isofs", "cdrom", "sr_mod", "ata_piix",
            "virtio_scsi", "ifb", "veth", "dummy", "bridge", "8021q");
    static final String ROOT_MODULE_DIRECTORY = "kernel/net/sched";
    /** Programs: where the Debian package puts them (bookworm, or merged /usr) → where the root has them. */
    static final Map<List<String>, String> PROGRAMS = programs();
    static final String SFTP_SERVER = "usr/lib/openssh/sftp-server";
    static final String ROOT_LABEL = "testbed-root";
    static final long ROOT_DISK_BYTES = 512L << 20;
    static final String COMMAND_LINE = "console=ttyS0 root=LABEL=" + ROOT_LABEL + " quiet panic=-1";
    private static final List<String> SCRIPTS = List.of("initramfs-init", "inittab", "rcS", "rcK", "seed.awk",
            "run-dropbear", "announce-ready");
    private static final List<String> LIBRARY_DIRECTORIES = List.of("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu",
            "lib64", "usr/lib64");
    private static final String LIBRARY_TARGET = "usr/lib/x86_64-linux-gnu";
    private static final String DYNAMIC_LOADER = "ld-linux-x86-64.so.2";

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
        everything.append(PACKAGES).append(INITRAMFS_MODULES).append(ROOT_MODULES).append(ROOT_MODULE_DIRECTORY)
                .append(PROGRAMS).append(SFTP_SERVER).append(ROOT_LABEL).append(ROOT_DISK_BYTES).append(COMMAND_LINE);
        for (String script : SCRIPTS) {
            everything.append('\n').append(script).append('\n').append(script(script));
        }
        // the compiled recipe too, so a code change cannot silently reuse templates built by older code
        for (String compiled : List.of("TinyTemplateRecipe.class", "TinyTemplateRecipe$Build.class")) {
            everything.append('\n').append(compiled).append('\n').append(CacheKey.sha256Hex(resourceBytes(compiled)));
        }
        return "tiny-" + REVISION + "-"
                + CacheKey.sha256Hex(everything.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    @Override
    public String inputsFingerprint() {
        return packages.listsFingerprint();
    }

    @Override
    public List<TemplateInput> resolveInputs(Consumer<String> progress) {
        packages.ensurePackageLists();
        DebianPackages.Candidate meta = packages.candidates(List.of(KERNEL_METAPACKAGE)).get(0);
        String kernelPackage = Stream.of(meta.depends().split("[,|]"))
                .map(dependency -> dependency.strip().split("\\s")[0])
                .filter(name -> name.startsWith("linux-image-"))
                .findFirst()
                .orElseThrow(() -> new TemplateException(KERNEL_METAPACKAGE + " " + meta.version()
                        + " depends on no linux-image-* package (Depends: " + meta.depends() + ")"));
        List<String> names = new ArrayList<>();
        names.add(kernelPackage);
        names.addAll(PACKAGES);
        return packages.candidates(names).stream().map(DebianPackages.Candidate::asInput).toList();
    }

    @Override
    public BuildResult build(List<TemplateInput> inputs, Path output, Path work, Consumer<String> progress) {
        try {
            return new Build(inputs, output, work, progress).run();
        } catch (IOException e) {
            throw new TemplateException("Building the tiny template failed: " + e + "; check free space under "
                    + work.getParent(), e);
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

    /** One build: the staging tree and what has been picked from it. */
    private final class Build {
        private final List<TemplateInput> inputs;
        private final Path output;
        private final Path work;
        private final Consumer<String> progress;
        private final Path staging;
        private final Instant start = Instant.now();
        private final Map<String, List<String>> contents = new LinkedHashMap<>();
        private String kernelVersion;
        private Path modulesDirectory;
        private Map<String, String> moduleIndex;
        private Set<String> builtinModules;
        private Path staticBusybox;
        private Path busybox;
        private List<String> initramfsApplets;
        private List<String> applets;

        Build(List<TemplateInput> inputs, Path output, Path work, Consumer<String> progress) {
            this.inputs = inputs;
            this.output = output;
            this.work = work;
            this.progress = progress;
            this.staging = work.resolve("staging");
        }

        BuildResult run() throws IOException {
            Path debs = Files.createDirectories(work.resolve("debs"));
            List<DebianPackages.Candidate> candidates = inputs.stream()
                    .map(input -> new DebianPackages.Candidate(input.name(), input.version(), input.sha256(),
                            input.size(), ""))
                    .toList();
            Map<String, Path> files = packages.download(candidates, debs);
            step("unpacking " + files.size() + " packages with dpkg-deb -x");
            Files.createDirectories(staging);
            for (Map.Entry<String, Path> deb : files.entrySet()) {
                // busybox-static and busybox both ship /bin/busybox
                DebianPackages.extract(deb.getValue(), deb.getKey().equals(STATIC_BUSYBOX_PACKAGE)
                        ? Files.createDirectories(work.resolve(STATIC_BUSYBOX_PACKAGE)) : staging);
            }
            FileTrees.deleteQuietly(debs);
            findKernel();
            findBusybox();
            Files.copy(staging.resolve("boot/vmlinuz-" + kernelVersion), output.resolve(KERNEL));
            buildInitramfs();
            Path root = work.resolve("root");
            long rootBytes = buildRootTree(root);
            long virtualSize = buildRootDisk(root);
            return new BuildResult(kernelVersion, COMMAND_LINE, virtualSize, rootBytes, contents);
        }

        private void step(String message) {
            progress.accept(String.format("  [%5.1f s] %s", Duration.between(start, Instant.now()).toMillis() / 1000.0,
                    message));
        }

        private void findKernel() throws IOException {
            Path modules = staging.resolve("lib/modules");
            if (!Files.isDirectory(modules)) {
                modules = staging.resolve("usr/lib/modules");
            }
            try (Stream<Path> versions = Files.list(modules)) {
                List<Path> found = versions.filter(Files::isDirectory).toList();
                if (found.size() != 1) {
                    throw new TemplateException("Expected exactly one kernel in the staging tree, found " + found);
                }
                modulesDirectory = found.get(0);
                kernelVersion = modulesDirectory.getFileName().toString();
            }
            if (!Files.isRegularFile(staging.resolve("boot/vmlinuz-" + kernelVersion))) {
                throw new TemplateException("The kernel package holds no boot/vmlinuz-" + kernelVersion);
            }
            moduleIndex = new TreeMap<>();
            try (Stream<Path> files = Files.walk(modulesDirectory.resolve("kernel"))) {
                files.filter(file -> file.getFileName().toString().endsWith(".ko")).forEach(file -> moduleIndex.put(
                        moduleName(file), modulesDirectory.relativize(file).toString()));
            }
            builtinModules = new HashSet<>();
            Path builtin = modulesDirectory.resolve("modules.builtin");
            if (Files.isRegularFile(builtin)) {
                for (String line : Files.readAllLines(builtin)) {
                    builtinModules.add(moduleName(Path.of(line.strip())));
                }
            }
            step("kernel " + kernelVersion + ": " + moduleIndex.size() + " modules available");
        }

        private void findBusybox() {
            Path staticTree = work.resolve(STATIC_BUSYBOX_PACKAGE);
            staticBusybox = Stream.of("bin/busybox", "usr/bin/busybox").map(staticTree::resolve)
                    .filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new TemplateException(STATIC_BUSYBOX_PACKAGE + " holds no bin/busybox"));
            initramfsApplets = lines(ExternalCommand.of(staticBusybox.toString(), "--list-full").run().stdout());
            busybox = firstExisting(List.of("bin/busybox", "usr/bin/busybox"), "busybox");
            // run the root's (dynamic) busybox with the unpacked loader and libc, not the host's
            Path loader = firstExisting(List.of("lib/x86_64-linux-gnu/" + DYNAMIC_LOADER,
                    "usr/lib/x86_64-linux-gnu/" + DYNAMIC_LOADER), "libc6");
            String libraryPath = LIBRARY_DIRECTORIES.stream().map(staging::resolve).map(Path::toString)
                    .collect(Collectors.joining(":"));
            applets = lines(ExternalCommand.of(loader.toString(), "--library-path", libraryPath, busybox.toString(),
                    "--list-full").run().stdout());
        }

        private List<String> lines(String text) {
            return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        }

        private Path firstExisting(List<String> candidates, String packageName) {
            for (String candidate : candidates) {
                Path path = staging.resolve(candidate);
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    return path;
                }
            }
            throw new TemplateException("None of " + candidates + " exists in the unpacked packages; has "
                    + packageName + " moved its files? Update TinyTemplateRecipe.");
        }

        // ---------------------------------------------------------------------------------------- initramfs

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
            writeScript(tree.resolve("init"), "initramfs-init", "rwxr-xr-x");
            List<String> order = moduleClosure(INITRAMFS_MODULES);
            StringBuilder load = new StringBuilder();
            for (String module : order) {
                Path source = modulesDirectory.resolve(moduleIndex.get(module));
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
                names = paths.map(path -> tree.relativize(path).toString()).map(name -> name.isEmpty() ? "." : name)
                        .sorted().toList();
            }
            Files.write(list, names);
            ExternalCommand.of("cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0").in(tree).stdinFrom(list)
                    .stdoutTo(cpio).run();
            try (InputStream in = Files.newInputStream(cpio);
                    OutputStream out = new GZIPOutputStream(Files.newOutputStream(output.resolve(INITRD)), 1 << 16)) {
                in.transferTo(out);
            }
            step(String.format("initramfs: %d files, %d modules, %s cpio, %s gzip", names.size(), order.size(),
                    TemplateStore.mib(Files.size(cpio)), TemplateStore.mib(Files.size(output.resolve(INITRD)))));
        }

        /** The modules with all their dependencies, dependencies first. */
        private List<String> moduleClosure(List<String> wanted) {
            Set<String> ordered = new LinkedHashSet<>();
            for (String module : wanted) {
                visitModule(module.replace('-', '_'), ordered, new ArrayDeque<>());
            }
            return List.copyOf(ordered);
        }

        private void visitModule(String module, Set<String> ordered, Deque<String> path) {
            if (ordered.contains(module) || path.contains(module)) {
                return;
            }
            String relative = moduleIndex.get(module);
            if (relative == null) {
                if (builtinModules.contains(module)) {
                    return;
                }
                throw new TemplateException("Kernel " + kernelVersion + " has no module " + module
                        + (path.isEmpty() ? "" : " (needed by " + path.peek() + ")")
                        + "; update the module lists in TinyTemplateRecipe for this kernel");
            }
            path.push(module);
            for (String dependency : ElfFile.read(modulesDirectory.resolve(relative)).moduleDependencies()) {
                visitModule(dependency.replace('-', '_'), ordered, path);
            }
            path.pop();
            ordered.add(module);
        }

        // ---------------------------------------------------------------------------------------- root tree

        private long buildRootTree(Path root) throws IOException {
            for (String directory : List.of("usr/bin", "usr/sbin", "usr/lib/testbed", "usr/lib64", LIBRARY_TARGET,
                    "etc/init.d", "dev", "proc", "sys", "run", "mnt", "home", "var/log", "root")) {
                Files.createDirectories(root.resolve(directory));
            }
            Files.createDirectories(root.resolve("tmp"));
            Files.createDirectories(root.resolve("var/tmp"));
            Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(root.resolve("var/tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
            // merged /usr, as Debian 12 itself
            link(root, "bin", "usr/bin");
            link(root, "sbin", "usr/sbin");
            link(root, "lib", "usr/lib");
            link(root, "lib64", "usr/lib64");
            link(root, "var/run", "/run");
            link(root, "root/.ssh", "/run/root-ssh");

            // programs and sftp-server
            List<String> programs = new ArrayList<>();
            List<Path> elfs = new ArrayList<>();
            for (Map.Entry<List<String>, String> program : PROGRAMS.entrySet()) {
                Path source = firstExisting(program.getKey(), "a recipe package");
                copy(source, root.resolve(program.getValue()));
                programs.add("/" + program.getValue());
                elfs.add(source);
            }
            Path dropbear = firstExisting(List.of("usr/sbin/dropbear"), "dropbear-bin");
            String sftpPath = compiledInSftpServerPath(dropbear);
            Path sftpSource = firstExisting(List.of(SFTP_SERVER), "openssh-sftp-server");
            Files.createDirectories(root.resolve(sftpPath.substring(1)).getParent());
            copy(sftpSource, root.resolve(sftpPath.substring(1)));
            programs.add(sftpPath);
            elfs.add(sftpSource);

            // busybox and its applets, except where a real program took the name
            copy(busybox, root.resolve("usr/bin/busybox"));
            programs.add("/usr/bin/busybox");
            elfs.add(busybox);
            Set<String> taken = PROGRAMS.values().stream().map(path -> Path.of(path).getFileName().toString())
                    .collect(Collectors.toSet());
            int linked = 0;
            for (String applet : applets) {
                Path appletPath = Path.of(applet);
                String name = appletPath.getFileName().toString();
                if (name.equals("busybox") || taken.contains(name)) {
                    continue;
                }
                String directory = applet.contains("sbin/") ? "usr/sbin" : "usr/bin";
                Path link = root.resolve(directory).resolve(name);
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    // relative, so the tree also resolves from outside the guest (the initramfs checks /sbin/init)
                    Files.createSymbolicLink(link, Path.of(directory.equals("usr/bin") ? "busybox" : "../bin/busybox"));
                    linked++;
                }
            }
            contents.put("programs", programs);
            contents.put("busyboxApplets", List.of(linked + " applets linked to /usr/bin/busybox"));

            // shared libraries: the closure of everything dynamic we copied
            Map<String, Path> libraries = libraryClosure(elfs);
            for (Map.Entry<String, Path> library : libraries.entrySet()) {
                Files.copy(library.getValue(), root.resolve(LIBRARY_TARGET).resolve(library.getKey()),
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (!libraries.containsKey(DYNAMIC_LOADER)) {
                throw new TemplateException("The library closure lacks the dynamic loader " + DYNAMIC_LOADER);
            }
            link(root, "usr/lib64/" + DYNAMIC_LOADER, "../lib/x86_64-linux-gnu/" + DYNAMIC_LOADER);
            contents.put("libraries", List.copyOf(libraries.keySet()));

            // kernel modules for modprobe (sch_netem on demand) with modules.dep from busybox depmod
            List<String> wanted = new ArrayList<>(ROOT_MODULES);
            wanted.addAll(INITRAMFS_MODULES);
            moduleIndex.forEach((name, relative) -> {
                if (relative.startsWith(ROOT_MODULE_DIRECTORY + "/")) {
                    wanted.add(name);
                }
            });
            List<String> modules = moduleClosure(wanted);
            Path rootModules = root.resolve("usr/lib/modules").resolve(kernelVersion);
            for (String module : modules) {
                Path target = rootModules.resolve(moduleIndex.get(module));
                Files.createDirectories(target.getParent());
                Files.copy(modulesDirectory.resolve(moduleIndex.get(module)), target);
            }
            for (String file : List.of("modules.builtin", "modules.order")) {
                if (Files.isRegularFile(modulesDirectory.resolve(file))) {
                    Files.copy(modulesDirectory.resolve(file), rootModules.resolve(file));
                }
            }
            ExternalCommand.of(staticBusybox.toString(), "depmod", "-b", root.toString(), kernelVersion).run();
            if (!Files.isRegularFile(rootModules.resolve("modules.dep"))) {
                throw new TemplateException("busybox depmod wrote no modules.dep under " + rootModules);
            }
            contents.put("rootModules", modules);

            // configuration and the init scripts
            writeEtc(root);
            writeScript(root.resolve("etc/inittab"), "inittab", "rw-r--r--");
            writeScript(root.resolve("etc/init.d/rcS"), "rcS", "rwxr-xr-x");
            writeScript(root.resolve("etc/init.d/rcK"), "rcK", "rwxr-xr-x");
            writeScript(root.resolve("usr/lib/testbed/seed.awk"), "seed.awk", "rw-r--r--");
            writeScript(root.resolve("usr/lib/testbed/run-dropbear"), "run-dropbear", "rwxr-xr-x");
            writeScript(root.resolve("usr/lib/testbed/announce-ready"), "announce-ready", "rwxr-xr-x");

            long bytes = FileTrees.size(root);
            contents.put("notes", List.of(
                    "sftp-server at " + sftpPath + " (dropbear's compiled-in path)",
                    "root file system: ext4 labelled " + ROOT_LABEL + ", merged /usr, " + TemplateStore.mib(bytes)
                            + " of files",
                    "identity (hostname, keys, addresses) from a NoCloud seed labelled cidata; see SeedIso",
                    "pid 1: busybox init; dropbear respawned, password logins disabled; no console shell",
                    "built as uid " + uid() + (uid().equals("0") ? "" : " (files in the image belong to that uid)")));
            step(String.format("root tree: %s in %d programs, %d libraries, %d modules", TemplateStore.mib(bytes),
                    programs.size(), libraries.size(), modules.size()));
            return bytes;
        }

        private void writeEtc(Path root) throws IOException {
            Path etc = root.resolve("etc");
            write(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", "rw-r--r--");
            write(etc.resolve("group"), "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n", "rw-r--r--");
            write(etc.resolve("shadow"), "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", "rw-------");
            write(etc.resolve("shells"), "/bin/sh\n/bin/ash\n/usr/bin/sh\n", "rw-r--r--");
            write(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
                    + "networks: files\nprotocols: files\nservices: files\n", "rw-r--r--");
            write(etc.resolve("profile"), "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1='\\h:\\w\\$ '\n",
                    "rw-r--r--");
            write(etc.resolve("fstab"), "LABEL=" + ROOT_LABEL + " / ext4 rw,noatime 0 1\n", "rw-r--r--");
            String debianVersion = inputs.stream().filter(input -> input.name().equals("libc6")).findFirst()
                    .map(TemplateInput::version).orElse("");
            write(etc.resolve("os-release"), "PRETTY_NAME=\"Testbed tiny (Debian packages, libc " + debianVersion
                    + ")\"\nNAME=\"Testbed tiny\"\nID=testbed-tiny\nID_LIKE=debian\nVERSION_ID=\"" + REVISION
                    + "\"\n", "rw-r--r--");
            link(root, "etc/hostname", "/run/hostname");
            link(root, "etc/hosts", "/run/hosts");
            link(root, "etc/resolv.conf", "/run/resolv.conf");
            link(root, "etc/mtab", "/proc/mounts");
        }

        /** The path of sftp-server compiled into dropbear ({@code strings dropbear | grep sftp-server}). */
        private String compiledInSftpServerPath(Path dropbear) throws IOException {
            byte[] bytes = Files.readAllBytes(dropbear);
            byte[] needle = "sftp-server".getBytes(StandardCharsets.US_ASCII);
            for (int at = 0; at <= bytes.length - needle.length; at++) {
                if (!matches(bytes, at, needle) || (at + needle.length < bytes.length && bytes[at + needle.length] != 0)) {
                    continue;
                }
                int start = at;
                while (start > 0 && bytes[start - 1] >= 0x21 && bytes[start - 1] < 0x7f) {
                    start--;
                }
                String candidate = new String(bytes, start, at + needle.length - start, StandardCharsets.US_ASCII);
                if (candidate.startsWith("/")) {
                    return candidate;
                }
            }
            throw new TemplateException("Found no compiled-in sftp-server path in " + dropbear
                    + "; SFTP would not work. Check `strings dropbear | grep sftp`.");
        }

        private Map<String, Path> libraryClosure(List<Path> programs) {
            Map<String, Path> found = new TreeMap<>();
            Deque<Path> todo = new ArrayDeque<>(programs);
            Map<String, String> neededBy = new LinkedHashMap<>();
            while (!todo.isEmpty()) {
                Path file = todo.pop();
                for (String soname : ElfFile.read(file).neededLibraries()) {
                    if (found.containsKey(soname)) {
                        continue;
                    }
                    neededBy.putIfAbsent(soname, staging.relativize(file).toString());
                    Path library = findLibrary(soname);
                    if (library == null) {
                        throw new TemplateException("Library " + soname + " (needed by /" + neededBy.get(soname)
                                + ") is in none of the recipe's packages; add the package that provides it to "
                                + "TinyTemplateRecipe.PACKAGES");
                    }
                    found.put(soname, library);
                    todo.push(library);
                }
            }
            return found;
        }

        private Path findLibrary(String soname) {
            for (String directory : LIBRARY_DIRECTORIES) {
                Path candidate = staging.resolve(directory).resolve(soname);
                Path real = resolveInStaging(candidate);
                if (real != null && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                    return real;
                }
            }
            return null;
        }

        /** Follows symbolic links inside the staging tree (absolute targets are relative to the staging root). */
        private Path resolveInStaging(Path path) {
            Path current = path;
            for (int hops = 0; hops < 16; hops++) {
                if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                    return null;
                }
                if (!Files.isSymbolicLink(current)) {
                    return current;
                }
                try {
                    Path target = Files.readSymbolicLink(current);
                    current = target.isAbsolute()
                            ? staging.resolve(target.toString().substring(1))
                            : current.getParent().resolve(target).normalize();
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        }

        // ---------------------------------------------------------------------------------------- disk

        private long buildRootDisk(Path root) throws IOException {
            Path raw = work.resolve("root.raw");
            try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
                file.setLength(ROOT_DISK_BYTES);
            }
            UUID uuid = UUID.nameUUIDFromBytes(inputs.toString().getBytes(StandardCharsets.UTF_8));
            ExternalCommand.of("mkfs.ext4", "-q", "-F", "-L", ROOT_LABEL, "-U", uuid.toString(), "-m", "0",
                            "-N", "32768", "-J", "size=4",
                            "-E", "lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0",
                            "-d", root.toString(), raw.toString())
                    .timeout(Duration.ofMinutes(5)).run();
            step("mkfs.ext4 -d: " + TemplateStore.mib(ROOT_DISK_BYTES) + " raw root file system");
            Path qcow2 = output.resolve(DISK);
            ExternalCommand.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(),
                    qcow2.toString()).timeout(Duration.ofMinutes(5)).run();
            FileTrees.deleteQuietly(raw);
            ImageInfo info = ImageInfo.inspect(qcow2);
            step(String.format("qemu-img convert -O qcow2: %s on disk (virtual %s)", TemplateStore.mib(info.actualSize()),
                    TemplateStore.mib(info.virtualSize())));
            return info.virtualSize();
        }

        // ---------------------------------------------------------------------------------------- files

        private void copy(Path source, Path target) throws IOException {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }

        private void link(Path root, String link, String target) throws IOException {
            Path path = root.resolve(link);
            Files.createDirectories(path.getParent());
            Files.createSymbolicLink(path, Path.of(target));
        }

        private void write(Path file, String text, String mode) throws IOException {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        }

        private void writeScript(Path file, String resource, String mode) throws IOException {
            write(file, script(resource), mode);
        }
    }

    private static boolean matches(byte[] bytes, int at, byte[] needle) {
        for (int i = 0; i < needle.length; i++) {
            if (bytes[at + i] != needle[i]) {
                return false;
            }
        }
        return true;
    }

    private static String moduleName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return (dot < 0 ? name : name.substring(0, dot)).replace('-', '_');
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "?";
        }
    }
}
