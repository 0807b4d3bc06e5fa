package io.testbed.provider.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.ExclusiveLock;
import io.testbed.core.internal.support.FileModes;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.images.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The warm images of the template store, in {@code <store>/<template>-warm/<key>/} (see {@link WarmShape#key()}),
 * shared by every JVM on the host like the templates themselves.
 *
 * <p>{@link #resolve} returns the image of a shape, building it when there is none: into a temporary directory
 * renamed into place when complete, under a file lock ({@code <store>/<template>-warm/.lock}, also across threads),
 * so concurrent JVMs build it once and the others wait and reuse it. Before an image is used it is verified: its
 * manifest (format, key, backing template), the overlay's size, and once per JVM its SHA-256, {@code qemu-img
 * check} and the snapshot's presence. An image that fails is discarded and built again; so is one whose restore
 * failed ({@link #discard}). Thread-safe.
 */
final class WarmImages {

    /** Builds a warm image's {@link WarmImage#OVERLAY} (holding {@link WarmImage#SNAPSHOT}) into a directory. */
    interface Builder {
        void build(Path directory);
    }

    /** A resolved image, and whether this call built it (and how long that took). */
    record Resolved(WarmImage image, boolean built, Duration duration) {}

    static final String TEMP_PREFIX = ".tmp-";
    /** The lock file in a template's warm image directory, held while an image is built, discarded or pruned. */
    static final String LOCK = ".lock";

    private static final Duration BUILD_LOCK_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration QEMU_IMG_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectWriter MANIFEST_WRITER =
            Json.pretty().without(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    /** Overlays this JVM checked in full, by path, with the size and modification time they had then. */
    private static final Map<Path, String> FULLY_CHECKED = new ConcurrentHashMap<>();

    private final Path root;
    private final Duration keepUnused;
    private final Consumer<String> progress;

    /**
     * @param templateRoot the template store's root
     * @param template     the template's name ({@code tiny})
     * @param keepUnused   how long other shapes' images may go unused before a build here removes them
     * @param progress     receives progress lines (checked, building, built, discarded, pruned)
     */
    WarmImages(Path templateRoot, String template, Duration keepUnused, Consumer<String> progress) {
        this.root = directoryOf(templateRoot, template);
        this.keepUnused = keepUnused;
        this.progress = progress;
    }

    /** The directory of a template's warm images in a template store. */
    static Path directoryOf(Path templateRoot, String template) {
        return templateRoot.resolve(template + "-warm");
    }

    /**
     * The verified image of {@code shape}, built by {@code builder} when missing, corrupt or stale.
     *
     * @param onDiscard receives the reason when an existing image was thrown away
     * @throws TestbedException when the build fails (the message names the failing step)
     */
    Resolved resolve(WarmShape shape, Builder builder, Consumer<String> onDiscard) {
        String key = shape.key();
        Path directory = root.resolve(key);
        Optional<WarmImage> ready = usable(shape, directory, null);
        if (ready.isPresent()) {
            return new Resolved(ready.get(), false, Duration.ZERO);
        }
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, FileModes.READABLE_DIRECTORY);
        } catch (IOException e) {
            throw new TestbedException("Cannot create the warm image directory " + root + ": " + e, e);
        }
        Path lockFile = root.resolve(LOCK);
        try (ExclusiveLock lock = ExclusiveLock.acquire(
                lockFile,
                BUILD_LOCK_TIMEOUT,
                holder -> progress.accept("warm image " + key.substring(0, 12) + ": "
                        + (holder == ExclusiveLock.Holder.THIS_JVM ? "another thread" : "another process")
                        + " is building it (" + lockFile + "); waiting"))) {
            ready = usable(shape, directory, onDiscard);
            if (ready.isPresent()) {
                return new Resolved(ready.get(), false, Duration.ZERO);
            }
            removeLeftovers();
            WarmImagePruning.prune(root, keepUnused, Instant.now()).forEach(progress);
            Instant start = Instant.now();
            WarmImage built = build(shape, directory, builder, start);
            return new Resolved(built, true, Duration.between(start, Instant.now()));
        } catch (UncheckedIOException | ExclusiveLock.TimeoutException e) {
            throw new TestbedException("Cannot lock " + lockFile + " to build a warm image: " + e.getMessage(), e);
        }
    }

    /** Deletes what builds of killed JVMs left behind; only called under the lock, so no build is running. */
    private void removeLeftovers() {
        try (var entries = Files.list(root)) {
            entries.filter(path -> path.getFileName().toString().startsWith(TEMP_PREFIX))
                    .forEach(FileTrees::deleteQuietly);
        } catch (IOException e) {
            progress.accept("warm images: cannot list " + root + " for leftovers (" + e + ")");
        }
    }

    /**
     * The image in {@code directory} when it exists and passes the checks; a failing one is deleted when
     * {@code onDiscard} is given (only under the lock, so no other JVM is replacing it meanwhile).
     */
    private Optional<WarmImage> usable(WarmShape shape, Path directory, Consumer<String> onDiscard) {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        WarmImage image;
        Optional<String> problem;
        try {
            image = new WarmImage(
                    directory,
                    Json.mapper()
                            .readValue(directory.resolve(WarmImage.MANIFEST).toFile(), WarmImage.Manifest.class));
            problem = problem(shape, image);
        } catch (IOException | RuntimeException e) {
            image = null;
            problem = Optional.of("unreadable manifest: " + e.getMessage());
        }
        if (problem.isEmpty()) {
            return Optional.of(image);
        }
        if (onDiscard != null) {
            deleteQuietly(directory, problem.get(), onDiscard);
        }
        return Optional.empty();
    }

    /** Why an image cannot be used: stale (another format, key or template) or corrupt; empty when it can. */
    static Optional<String> problem(WarmShape shape, WarmImage image) throws IOException {
        WarmImage.Manifest manifest = image.manifest();
        if (!WarmShape.FORMAT.equals(manifest.format())) {
            return Optional.of("stale: built by format " + manifest.format() + ", this is " + WarmShape.FORMAT);
        }
        if (!image.directory().getFileName().toString().equals(manifest.key())) {
            return Optional.of("stale: its manifest names key " + manifest.key());
        }
        String template = shape.template().disk().toString();
        if (!template.equals(manifest.templateDisk()) || !Files.isRegularFile(Path.of(manifest.templateDisk()))) {
            return Optional.of("stale: built on template disk " + manifest.templateDisk() + ", not " + template);
        }
        Path overlay = image.overlay();
        if (!Files.isRegularFile(overlay) || Files.size(overlay) != manifest.overlayBytes()) {
            return Optional.of("corrupt: " + overlay + " is missing or not " + manifest.overlayBytes() + " bytes");
        }
        String seen = Files.size(overlay) + "@" + Files.getLastModifiedTime(overlay);
        if (seen.equals(FULLY_CHECKED.get(overlay))) {
            return Optional.empty();
        }
        String sha256 = sha256(overlay);
        if (!sha256.equals(manifest.overlaySha256())) {
            return Optional.of("corrupt: the overlay's SHA-256 is " + sha256.substring(0, 16) + "…, the manifest says "
                    + manifest.overlaySha256()
                            .substring(0, Math.min(16, manifest.overlaySha256().length())) + "…");
        }
        Optional<String> qcow2 = qcow2Problem(overlay);
        if (qcow2.isPresent()) {
            return qcow2;
        }
        FULLY_CHECKED.put(overlay, seen);
        return Optional.empty();
    }

    /** What {@code qemu-img} finds wrong with an overlay: check errors, or no {@link WarmImage#SNAPSHOT}. */
    private static Optional<String> qcow2Problem(Path overlay) {
        LocalCommand.Result check = LocalCommand.of("qemu-img", "check", "-q", overlay.toString())
                .timeout(QEMU_IMG_TIMEOUT)
                .run();
        if (!check.succeeded()) {
            return Optional.of("corrupt: `qemu-img check` exit " + check.exitCode() + ": "
                    + LocalCommand.tail(check.stdout() + check.stderr()).strip());
        }
        if (snapshotState(overlay).isEmpty()) {
            return Optional.of("corrupt: the overlay holds no snapshot '" + WarmImage.SNAPSHOT + "'");
        }
        return Optional.empty();
    }

    /** The bytes of memory and device state {@link WarmImage#SNAPSHOT} holds, if the image has that snapshot. */
    static Optional<Long> snapshotState(Path overlay) {
        LocalCommand.Result info = LocalCommand.of("qemu-img", "info", "-U", "--output=json", overlay.toString())
                .timeout(QEMU_IMG_TIMEOUT)
                .run();
        if (!info.succeeded()) {
            return Optional.empty();
        }
        try {
            for (JsonNode snapshot : Json.mapper().readTree(info.stdout()).path("snapshots")) {
                if (WarmImage.SNAPSHOT.equals(snapshot.path("name").asText())) {
                    return Optional.of(snapshot.path("vm-state-size").asLong());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private WarmImage build(WarmShape shape, Path directory, Builder builder, Instant start) {
        String key = shape.key();
        progress.accept("warm image " + key.substring(0, 12) + ": building (" + shape.memoryMb() + " MiB, "
                + shape.cpus() + " vCPU, " + shape.nicMtus().size() + " NIC(s), " + shape.domainType() + ") in "
                + root);
        Path temp = root.resolve(TEMP_PREFIX + key.substring(0, 12) + "-" + UUID.randomUUID());
        Instant builtAt = Instant.now();
        try {
            Files.createDirectories(temp);
            Files.setPosixFilePermissions(temp, FileModes.READABLE_DIRECTORY);
            builder.build(temp);
            Path overlay = temp.resolve(WarmImage.OVERLAY);
            long state = snapshotState(overlay)
                    .orElseThrow(() -> new TestbedException(
                            "The warm image build left no snapshot '" + WarmImage.SNAPSHOT + "' in " + overlay));
            WarmImage.Manifest manifest = new WarmImage.Manifest(
                    WarmShape.FORMAT,
                    key,
                    shape.canonicalText(),
                    shape.template().disk().toString(),
                    Files.size(overlay),
                    sha256(overlay),
                    state,
                    Instant.now(),
                    Duration.between(start, Instant.now()));
            AtomicFiles.write(temp.resolve(WarmImage.MANIFEST), MANIFEST_WRITER.writeValueAsBytes(manifest));
            try (var files = Files.list(temp)) {
                for (Path file : files.toList()) {
                    Files.setPosixFilePermissions(file, FileModes.READABLE_FILE);
                }
            }
            WarmImagePruning.createUseStamp(temp, builtAt);
            Files.move(temp, directory, StandardCopyOption.ATOMIC_MOVE);
            FULLY_CHECKED.put(
                    directory.resolve(WarmImage.OVERLAY),
                    manifest.overlayBytes() + "@" + Files.getLastModifiedTime(directory.resolve(WarmImage.OVERLAY)));
            progress.accept(String.format(
                    "warm image %s: built in %.1f s, overlay %.1f MB (memory and device state %.1f MB)",
                    key.substring(0, 12),
                    manifest.buildTime().toMillis() / 1000.0,
                    manifest.overlayBytes() / 1e6,
                    state / 1e6));
            return new WarmImage(directory, manifest);
        } catch (IOException e) {
            throw new TestbedException(
                    "Building the warm image in " + temp + " failed: " + e + "; check free space and permissions under "
                            + root,
                    e);
        } finally {
            FileTrees.deleteQuietly(temp);
        }
    }

    /**
     * Throws an image away after a restore from it failed, unless another thread or JVM has replaced it meanwhile;
     * the next warm start of its shape builds it again.
     */
    void discard(WarmImage image, String reason, Consumer<String> onDiscard) {
        Path lockFile = root.resolve(LOCK);
        try (ExclusiveLock lock = ExclusiveLock.acquire(lockFile, BUILD_LOCK_TIMEOUT, holder -> {})) {
            Path manifest = image.directory().resolve(WarmImage.MANIFEST);
            WarmImage.Manifest current = Files.isRegularFile(manifest)
                    ? Json.mapper().readValue(manifest.toFile(), WarmImage.Manifest.class)
                    : null;
            if (current != null
                    && current.overlaySha256().equals(image.manifest().overlaySha256())) {
                deleteQuietly(image.directory(), reason, onDiscard);
            }
        } catch (IOException | RuntimeException e) {
            progress.accept("warm image " + image.directory() + ": cannot discard it (" + e + ")");
        }
    }

    private void deleteQuietly(Path directory, String reason, Consumer<String> onDiscard) {
        remove(directory);
        onDiscard.accept(reason);
    }

    /** Deletes an image's directory: renamed first, so that no reader ever sees half of it. Call under the lock. */
    static void remove(Path directory) {
        FULLY_CHECKED.remove(directory.resolve(WarmImage.OVERLAY));
        Path doomed = directory.resolveSibling(TEMP_PREFIX + "discarded-" + UUID.randomUUID());
        try {
            Files.move(directory, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            doomed = directory;
        }
        FileTrees.deleteQuietly(doomed);
    }

    /**
     * Copies the image's overlay (its backing file stays the template) to {@code target}: in the kernel, and
     * sharing blocks where the file system can.
     */
    static void copyOverlay(WarmImage image, Path target) {
        LocalCommand.of(
                        "cp",
                        "--reflink=auto",
                        "--sparse=always",
                        image.overlay().toString(),
                        target.toString())
                .timeout(QEMU_IMG_TIMEOUT)
                .check("copy the warm image's overlay to " + target);
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
