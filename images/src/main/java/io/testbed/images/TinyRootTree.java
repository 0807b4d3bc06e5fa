package io.testbed.images;

import static io.testbed.images.TinyTemplateRecipe.DYNAMIC_LOADER;
import static io.testbed.images.TinyTemplateRecipe.INITRAMFS_MODULES;
import static io.testbed.images.TinyTemplateRecipe.LIBRARY_TARGET;
import static io.testbed.images.TinyTemplateRecipe.PROGRAMS;
import static io.testbed.images.TinyTemplateRecipe.REVISION;
import static io.testbed.images.TinyTemplateRecipe.ROOT_LABEL;
import static io.testbed.images.TinyTemplateRecipe.ROOT_MODULES;
import static io.testbed.images.TinyTemplateRecipe.ROOT_MODULE_DIRECTORY;
import static io.testbed.images.TinyTemplateRecipe.SFTP_SERVER;

import io.testbed.core.internal.support.FileModes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The tiny template's root file system as a directory tree, picked from the unpacked packages: merged /usr,
 * the recipe's programs and sftp-server with their shared-library closure, busybox and its applets, the
 * kernel modules {@code modprobe} may load (with {@code modules.dep}), {@code /etc} and the init scripts.
 */
final class TinyRootTree {

    private final Path staging;
    private final KernelModules kernel;
    private final Path staticBusybox;
    private final Path busybox;
    private final List<String> applets;
    private final List<TemplateInput> inputs;
    private final Map<String, List<String>> contents;
    private final Consumer<String> step;

    /**
     * @param staging       the unpacked packages
     * @param kernel        the kernel's modules in the staging tree
     * @param staticBusybox busybox-static, run on the host for {@code depmod}
     * @param busybox       the root's (dynamic) busybox
     * @param applets       the root busybox's applets ({@code --list-full})
     * @param inputs        the recipe's exact inputs (for {@code os-release})
     * @param contents      receives what went into the tree, for the manifest
     * @param step          receives one progress line
     */
    TinyRootTree(
            Path staging,
            KernelModules kernel,
            Path staticBusybox,
            Path busybox,
            List<String> applets,
            List<TemplateInput> inputs,
            Map<String, List<String>> contents,
            Consumer<String> step) {
        this.staging = staging;
        this.kernel = kernel;
        this.staticBusybox = staticBusybox;
        this.busybox = busybox;
        this.applets = applets;
        this.inputs = inputs;
        this.contents = contents;
        this.step = step;
    }

    /** Writes the tree under {@code root} (which must not exist yet) and returns its size in bytes. */
    long write(Path root) throws IOException {
        for (String directory : List.of(
                "usr/bin",
                "usr/sbin",
                "usr/lib/testbed",
                "usr/lib64",
                LIBRARY_TARGET,
                "etc/init.d",
                "dev",
                "proc",
                "sys",
                "run",
                "mnt",
                "home",
                "var/log",
                "root")) {
            Files.createDirectories(root.resolve(directory));
        }
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("var/tmp"));
        Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(root.resolve("var/tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(root.resolve("root"), FileModes.OWNER_ONLY_DIRECTORY);
        // merged /usr, as Debian 12 itself
        FileTrees.link(root, "bin", "usr/bin");
        FileTrees.link(root, "sbin", "usr/sbin");
        FileTrees.link(root, "lib", "usr/lib");
        FileTrees.link(root, "lib64", "usr/lib64");
        FileTrees.link(root, "var/run", "/run");
        FileTrees.link(root, "root/.ssh", "/run/root-ssh");

        // programs and sftp-server
        List<String> programs = new ArrayList<>();
        List<Path> elfs = new ArrayList<>();
        for (Map.Entry<List<String>, String> program : PROGRAMS.entrySet()) {
            Path source = TinyBuild.firstExisting(staging, program.getKey(), "a recipe package");
            FileTrees.copy(source, root.resolve(program.getValue()));
            programs.add("/" + program.getValue());
            elfs.add(source);
        }
        Path dropbear = TinyBuild.firstExisting(staging, List.of("usr/sbin/dropbear"), "dropbear-bin");
        String sftpPath = compiledInSftpServerPath(dropbear);
        Path sftpSource = TinyBuild.firstExisting(staging, List.of(SFTP_SERVER), "openssh-sftp-server");
        Files.createDirectories(root.resolve(sftpPath.substring(1)).getParent());
        FileTrees.copy(sftpSource, root.resolve(sftpPath.substring(1)));
        programs.add(sftpPath);
        elfs.add(sftpSource);

        // busybox and its applets, except where a real program took the name
        FileTrees.copy(busybox, root.resolve("usr/bin/busybox"));
        programs.add("/usr/bin/busybox");
        elfs.add(busybox);
        Set<String> taken = PROGRAMS.values().stream()
                .map(path -> Path.of(path).getFileName().toString())
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
        Map<String, Path> libraries = new LibraryClosure(staging).of(elfs);
        for (Map.Entry<String, Path> library : libraries.entrySet()) {
            Files.copy(
                    library.getValue(),
                    root.resolve(LIBRARY_TARGET).resolve(library.getKey()),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        if (!libraries.containsKey(DYNAMIC_LOADER)) {
            throw new TemplateException("The library closure lacks the dynamic loader " + DYNAMIC_LOADER);
        }
        FileTrees.link(root, "usr/lib64/" + DYNAMIC_LOADER, "../lib/x86_64-linux-gnu/" + DYNAMIC_LOADER);
        contents.put("libraries", List.copyOf(libraries.keySet()));

        // kernel modules for modprobe (sch_netem on demand) with modules.dep from busybox depmod
        List<String> wanted = new ArrayList<>(ROOT_MODULES);
        wanted.addAll(INITRAMFS_MODULES);
        kernel.index().forEach((name, relative) -> {
            if (relative.startsWith(ROOT_MODULE_DIRECTORY + "/")) {
                wanted.add(name);
            }
        });
        List<String> modules = kernel.closure(wanted);
        Path rootModules = root.resolve("usr/lib/modules").resolve(kernel.kernelVersion());
        for (String module : modules) {
            Path target = rootModules.resolve(kernel.index().get(module));
            Files.createDirectories(target.getParent());
            Files.copy(kernel.file(module), target);
        }
        for (String file : List.of("modules.builtin", "modules.order")) {
            if (Files.isRegularFile(kernel.directory().resolve(file))) {
                Files.copy(kernel.directory().resolve(file), rootModules.resolve(file));
            }
        }
        Programs.check(
                Programs.of(staticBusybox.toString(), "depmod", "-b", root.toString(), kernel.kernelVersion()),
                "index the kernel modules");
        if (!Files.isRegularFile(rootModules.resolve("modules.dep"))) {
            throw new TemplateException("busybox depmod wrote no modules.dep under " + rootModules);
        }
        contents.put("rootModules", modules);

        // configuration and the init scripts
        writeEtc(root);
        writeScript(root.resolve("etc/inittab"), "inittab", "rw-r--r--");
        writeScript(root.resolve("etc/init.d/rcS"), "rcS", "rwxr-xr-x");
        writeScript(root.resolve("etc/init.d/rcK"), "rcK", "rwxr-xr-x");
        writeScript(root.resolve("usr/lib/testbed/run-dropbear"), "run-dropbear", "rwxr-xr-x");
        writeScript(root.resolve("usr/lib/testbed/announce-ready"), "announce-ready", "rwxr-xr-x");
        Path reseed = root.resolve(ReseedProgram.PATH);
        Files.write(reseed, ReseedProgram.elf());
        Files.setPosixFilePermissions(reseed, PosixFilePermissions.fromString("rwxr-xr-x"));
        programs.add("/" + ReseedProgram.PATH);

        long bytes = FileTrees.size(root);
        contents.put(
                "notes",
                List.of(
                        "sftp-server at " + sftpPath + " (dropbear's compiled-in path)",
                        "root file system: ext4 labelled " + ROOT_LABEL + ", merged /usr, " + TemplateStore.mib(bytes)
                                + " of files",
                        "identity (hostname, keys, addresses) from a NoCloud seed labelled cidata; see SeedIso",
                        "pid 1: busybox init; dropbear respawned, password logins disabled; no console shell",
                        "built as uid " + uid()
                                + (uid().equals("0") ? "" : " (files in the image belong to that uid)")));
        step.accept(String.format(
                "root tree: %s in %d programs, %d libraries, %d modules",
                TemplateStore.mib(bytes), programs.size(), libraries.size(), modules.size()));
        return bytes;
    }

    private void writeEtc(Path root) throws IOException {
        Path etc = root.resolve("etc");
        FileTrees.write(
                etc.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\n" + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
                "rw-r--r--");
        FileTrees.write(etc.resolve("group"), "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n", "rw-r--r--");
        FileTrees.write(etc.resolve("shadow"), "root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n", "rw-------");
        FileTrees.write(etc.resolve("shells"), "/bin/sh\n/bin/ash\n/usr/bin/sh\n", "rw-r--r--");
        FileTrees.write(
                etc.resolve("nsswitch.conf"),
                "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
                        + "networks: files\nprotocols: files\nservices: files\n",
                "rw-r--r--");
        FileTrees.write(
                etc.resolve("profile"),
                "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1='\\h:\\w\\$ '\n",
                "rw-r--r--");
        FileTrees.write(etc.resolve("fstab"), "LABEL=" + ROOT_LABEL + " / ext4 rw,noatime 0 1\n", "rw-r--r--");
        String debianVersion = inputs.stream()
                .filter(input -> input.name().equals("libc6"))
                .findFirst()
                .map(TemplateInput::version)
                .orElse("");
        FileTrees.write(
                etc.resolve("os-release"),
                "PRETTY_NAME=\"Testbed tiny (Debian packages, libc " + debianVersion
                        + ")\"\nNAME=\"Testbed tiny\"\nID=testbed-tiny\nID_LIKE=debian\nVERSION_ID=\"" + REVISION
                        + "\"\n",
                "rw-r--r--");
        FileTrees.link(root, "etc/hostname", "/run/hostname");
        FileTrees.link(root, "etc/hosts", "/run/hosts");
        FileTrees.link(root, "etc/resolv.conf", "/run/resolv.conf");
        FileTrees.link(root, "etc/machine-id", "/run/machine-id");
        FileTrees.link(root, "etc/mtab", "/proc/mounts");
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

    private static void writeScript(Path file, String resource, String mode) throws IOException {
        FileTrees.write(file, TinyTemplateRecipe.script(resource), mode);
    }

    private static boolean matches(byte[] bytes, int at, byte[] needle) {
        for (int i = 0; i < needle.length; i++) {
            if (bytes[at + i] != needle[i]) {
                return false;
            }
        }
        return true;
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "?";
        }
    }
}
