package io.testbed.provider.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import io.testbed.core.TestbedException;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.images.Template;
import io.testbed.images.TemplateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The built-in {@code tiny} image: the root file system of the VM template of the same name (busybox, iproute2,
 * dropbear, …), put into the local Docker engine as {@value #REPOSITORY}{@code :<template cache key>}. No
 * registry is involved: the template's qcow2 root disk is converted to raw with {@code qemu-img}, its ext4 file
 * system is copied out without mounting by {@code debugfs rdump}, packed as the single layer of an image archive in
 * {@code docker save} format (layer tar, image config, manifest) and loaded ({@code docker load}). docker-java's
 * {@code importImageCmd} cannot be used: it sends the stream object as JSON instead of its bytes. Kernel modules
 * ({@code /usr/lib/modules}) and {@code lost+found} are left out: a container cannot load modules.
 *
 * <p>The image is rebuilt only when the template's cache key changes; images of old keys stay until removed by hand
 * ({@code docker rmi testbed/tiny:<old key>}). It is shared by every environment, so it carries no owner labels and
 * the reaper never removes it.
 */
final class TinyImage {

    /** The repository of the imported images. */
    static final String REPOSITORY = "testbed/tiny";
    /** Label naming Testbed's built-in image (not an owner label: the image is shared and never reaped). */
    static final String IMAGE_LABEL = "io.testbed.image";
    /** Label holding the template cache key the image was made from. */
    static final String TEMPLATE_KEY_LABEL = "io.testbed.template.key";

    private static final ObjectMapper JSON = Json.mapper();
    /** Paths of the template's root that are not imported. */
    private static final Set<String> LEFT_OUT = Set.of("lost+found", "usr/lib/modules", "lib/modules");

    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final Object LOCK = new Object();

    private TinyImage() {}

    /** Whether a machine's image names the built-in template (blank names it too). */
    static boolean isTiny(String image) {
        return image.isBlank() || image.equals(TemplateStore.TINY);
    }

    /**
     * The tiny image's name, importing it first when the local engine does not have it for the template's current
     * key. Resolving the template may build it (see {@link TemplateStore}).
     *
     * @param progress receives progress lines (template build, image import)
     * @throws TestbedException when the template cannot be resolved or the import fails
     */
    static String ensure(DockerClient docker, Map<String, String> configuration, Consumer<String> progress) {
        TemplateStore store = TemplateStore.configured(TestbedConfig.of(configuration), progress);
        Template template = store.resolve(TemplateStore.TINY);
        String key = template.manifest().key();
        String name = REPOSITORY + ":" + key;
        synchronized (LOCK) {
            if (Images.exists(docker, name)) {
                return name;
            }
            long start = System.nanoTime();
            importImage(docker, template.disk(), key, progress);
            if (!Images.exists(docker, name)) {
                throw new TestbedException("Docker imported the tiny image but does not list " + name
                        + " afterwards; check the daemon log");
            }
            progress.accept(String.format("image %s imported in %.1f s", name, (System.nanoTime() - start) / 1e9));
        }
        return name;
    }

    private static void importImage(DockerClient docker, Path disk, String key, Consumer<String> progress) {
        Path work;
        try {
            work = Files.createTempDirectory("testbed-tiny-image-");
        } catch (IOException e) {
            throw new TestbedException("Cannot create a temporary directory to build the tiny image: " + e, e);
        }
        try {
            Path raw = work.resolve("root.raw");
            progress.accept("image " + REPOSITORY + ": converting " + disk + " to raw");
            LocalCommand.of("qemu-img", "convert", "-O", "raw", disk.toString(), raw.toString())
                    .timeout(STEP_TIMEOUT)
                    .check("convert the tiny template's root disk");
            Path tree = Files.createDirectory(work.resolve("root"));
            progress.accept("image " + REPOSITORY + ": copying the root file system out with debugfs rdump");
            LocalCommand.Result dump = LocalCommand.of("debugfs", "-R", "rdump / " + tree, raw.toString())
                    .timeout(STEP_TIMEOUT)
                    .check("copy the tiny root file system out of " + raw);
            if (!Files.exists(tree.resolve("usr/bin/sh"), LinkOption.NOFOLLOW_LINKS)
                    && !Files.exists(tree.resolve("bin/sh"), LinkOption.NOFOLLOW_LINKS)) {
                throw new TestbedException("debugfs rdump of " + raw + " produced no /bin/sh: "
                        + dump.stderr().strip());
            }
            Files.delete(raw);
            Path archive = work.resolve("image.tar");
            long layerBytes = writeImageArchive(tree, key, archive);
            progress.accept(String.format(
                    "image %s: loading a %.1f MiB layer as %s:%s",
                    REPOSITORY, layerBytes / 1048576.0, REPOSITORY, key));
            try (InputStream in = Files.newInputStream(archive)) {
                DockerClients.run(
                        "load the tiny image", () -> docker.loadImageCmd(in).exec());
            }
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot build the tiny image in " + work + ": " + e
                            + "; check free space in the temporary directory",
                    e);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Writes an image archive in {@code docker save} format whose one layer is {@code tree}, tagged
     * {@value #REPOSITORY}{@code :key}.
     *
     * @return the layer's size in bytes
     */
    static long writeImageArchive(Path tree, String key, Path archive) throws IOException {
        Path layer = archive.resolveSibling("layer.tar");
        MessageDigest digest = sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(layer), digest)) {
            writeTar(tree, out);
        }
        String diffId = HexFormat.of().formatHex(digest.digest());
        String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", architecture());
        config.put("os", "linux");
        config.put("created", created);
        config.put(
                "config",
                Map.of(
                        "Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                        "Cmd", List.of("/bin/sh"),
                        "Labels", Map.of(IMAGE_LABEL, "tiny", TEMPLATE_KEY_LABEL, key)));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of("sha256:" + diffId)));
        config.put(
                "history",
                List.of(Map.of(
                        "created", created, "created_by", "testbed: root file system of the tiny VM template " + key)));
        byte[] configJson = JSON.writeValueAsBytes(config);
        String configName = HexFormat.of().formatHex(sha256().digest(configJson)) + ".json";
        String layerName = diffId + "/layer.tar";
        byte[] manifest = JSON.writeValueAsBytes(List.of(Map.of(
                "Config", configName, "RepoTags", List.of(REPOSITORY + ":" + key), "Layers", List.of(layerName))));
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            addBytes(tar, "manifest.json", manifest);
            addBytes(tar, configName, configJson);
            TarArchiveEntry directory = new TarArchiveEntry(diffId + "/");
            tar.putArchiveEntry(directory);
            tar.closeArchiveEntry();
            TarArchiveEntry entry = new TarArchiveEntry(layerName);
            entry.setSize(Files.size(layer));
            tar.putArchiveEntry(entry);
            Files.copy(layer, tar);
            tar.closeArchiveEntry();
            tar.finish();
        }
        long size = Files.size(layer);
        Files.delete(layer);
        return size;
    }

    private static void addBytes(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Packs {@code tree} (its contents, not itself) keeping modes, owners and symbolic links. */
    static void writeTar(Path tree, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            Files.walkFileTree(tree, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    String name = tree.relativize(dir).toString();
                    if (LEFT_OUT.contains(name)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!name.isEmpty()) {
                        add(tar, dir, name + "/", attributes);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    String name = tree.relativize(file).toString();
                    if (!LEFT_OUT.contains(name)) {
                        add(tar, file, name, attributes);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            tar.finish();
        }
    }

    private static void add(TarArchiveOutputStream tar, Path path, String name, BasicFileAttributes attributes)
            throws IOException {
        TarArchiveEntry entry;
        if (attributes.isSymbolicLink()) {
            entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
        } else if (attributes.isDirectory()) {
            entry = new TarArchiveEntry(name);
        } else if (attributes.isRegularFile()) {
            entry = new TarArchiveEntry(name);
            entry.setSize(attributes.size());
        } else {
            return; // device nodes and sockets: Docker provides /dev itself
        }
        entry.setModTime(attributes.lastModifiedTime().toMillis());
        if (!attributes.isSymbolicLink()) {
            entry.setMode(mode(path, attributes.isDirectory()));
        }
        entry.setIds(unixId(path, "unix:uid"), unixId(path, "unix:gid"));
        tar.putArchiveEntry(entry);
        if (attributes.isRegularFile()) {
            Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
    }

    private static int mode(Path path, boolean directory) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (mode instanceof Integer bits) {
            return bits;
        }
        int permissions = 0;
        for (PosixFilePermission permission : Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)) {
            permissions |= 1 << (8 - permission.ordinal());
        }
        return (directory ? 040000 : 0100000) | permissions;
    }

    private static int unixId(Path path, String attribute) {
        try {
            return ((Number) Files.getAttribute(path, attribute, LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
