package io.testbed.provider.libvirt;

import io.testbed.core.internal.support.ExclusiveLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps warm images from piling up in the template store (each shape's is ~60–95 MB): every warm start writes the
 * image's {@link WarmImage#LAST_USED} stamp, and images whose last use is older than {@code testbed
 * .libvirt.warmImageUnusedDays} are removed — under the warm images' lock, when another image is built
 * ({@link WarmImages#resolve}) and by the libvirt reaper ({@code testbed janitor}, and before each provisioning).
 *
 * <p>An image in use is one a machine started from within that time; the JVM that started it re-checks that the image
 * still exists before each further machine ({@link #markUsed}), so a pruned image means a rebuild, never a failure.
 */
final class WarmImagePruning {

    private WarmImagePruning() {}

    /**
     * Records that a machine starts from {@code image} now.
     *
     * @return false when the image is gone (pruned or discarded by another JVM meanwhile)
     */
    static boolean markUsed(WarmImage image) {
        if (!Files.isRegularFile(image.overlay())) {
            return false;
        }
        try {
            // written, not touched: any user may write the stamp, only its owner may set its time
            Files.writeString(image.directory().resolve(WarmImage.LAST_USED), Instant.now() + "\n");
        } catch (IOException e) {
            // a read-only store: the image then counts as last used when it was built
        }
        return Files.isRegularFile(image.overlay());
    }

    /** Creates the stamp of a new image (writable by every user of the shared store), dated {@code builtAt}. */
    static void createUseStamp(Path directory, Instant builtAt) throws IOException {
        Path stamp = directory.resolve(WarmImage.LAST_USED);
        Files.writeString(stamp, builtAt + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(stamp, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setLastModifiedTime(stamp, FileTime.from(builtAt));
    }

    /**
     * Removes the images in {@code warmRoot} ({@code <store>/<template>-warm}) last used more than {@code unused}
     * before {@code now}. The caller holds the warm images' lock.
     *
     * @return a line per image removed
     */
    static List<String> prune(Path warmRoot, Duration unused, Instant now) {
        List<String> removed = new ArrayList<>();
        List<Path> images;
        try (var entries = Files.list(warmRoot)) {
            images = entries.filter(Files::isDirectory)
                    .filter(path -> !path.getFileName().toString().startsWith("."))
                    .toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path image : images) {
            Optional<Instant> lastUse = lastUse(image);
            if (lastUse.isPresent() && lastUse.get().plus(unused).isBefore(now)) {
                WarmImages.remove(image);
                removed.add("warm image " + image + " (unused since " + lastUse.get() + ", more than " + unused.toDays()
                        + " days; testbed.libvirt.warmImageUnusedDays)");
            }
        }
        return removed;
    }

    /**
     * {@link #prune} for every template's warm images in a template store, each only when its lock is free at once
     * (a build holds it for seconds to minutes; the next run prunes then).
     */
    static List<String> pruneStore(Path templateRoot, Duration unused) {
        List<String> removed = new ArrayList<>();
        List<Path> warmRoots;
        try (var entries = Files.list(templateRoot)) {
            warmRoots = entries.filter(path -> path.getFileName().toString().endsWith("-warm"))
                    .filter(Files::isDirectory)
                    .toList();
        } catch (IOException e) {
            return removed; // no store yet
        }
        Instant now = Instant.now();
        for (Path warmRoot : warmRoots) {
            try (ExclusiveLock lock = ExclusiveLock.acquire(warmRoot.resolve(WarmImages.LOCK), Duration.ZERO, null)) {
                removed.addAll(prune(warmRoot, unused, now));
            } catch (ExclusiveLock.TimeoutException | UncheckedIOException busyOrReadOnly) {
                // being built now, or a store this user cannot lock: pruned by a later run
            }
        }
        return removed;
    }

    /**
     * When the image was last used: its stamp's time, else (an image of an older build) its manifest's, else (no
     * manifest: a broken image) its directory's.
     */
    private static Optional<Instant> lastUse(Path image) {
        for (Path file : List.of(image.resolve(WarmImage.LAST_USED), image.resolve(WarmImage.MANIFEST), image)) {
            try {
                return Optional.of(Files.getLastModifiedTime(file).toInstant());
            } catch (IOException missing) {
                // try the next
            }
        }
        return Optional.empty();
    }
}
