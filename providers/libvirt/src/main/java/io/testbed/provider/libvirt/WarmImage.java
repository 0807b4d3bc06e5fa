package io.testbed.provider.libvirt;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A warm image on disk: a qcow2 overlay on the template holding the internal snapshot {@link #SNAPSHOT} (the guest's
 * memory and device state, taken while the tiny guest waited for its identity), and its manifest.
 *
 * @param directory the image's directory in the template store ({@code <store>/tiny-warm/<key>})
 * @param manifest  what it was built from and how big it is
 */
record WarmImage(Path directory, Manifest manifest) {

    /** The internal snapshot every warm image holds. */
    static final String SNAPSHOT = "warm";
    /** The overlay's file name. */
    static final String OVERLAY = "overlay.qcow2";
    /** The manifest's file name. */
    static final String MANIFEST = "warm.json";
    /** Written whenever a machine starts from the image; its modification time is the image's last use. */
    static final String LAST_USED = "last-used";
    /** The build boot's serial console, kept for diagnosis. */
    static final String CONSOLE = "console.log";

    /** The overlay that machines copy. */
    Path overlay() {
        return directory.resolve(OVERLAY);
    }

    /**
     * What a warm image is made of, stored as {@value #MANIFEST}.
     *
     * @param format        {@link WarmShape#FORMAT} of the code that built it
     * @param key           the shape's key (the directory's name)
     * @param shape         the shape's canonical text
     * @param templateDisk  the overlay's backing file, the template's root disk
     * @param overlayBytes  the overlay's size in bytes
     * @param overlaySha256 the overlay's SHA-256, lower-case hex
     * @param vmStateBytes  the snapshot's memory and device state in bytes
     * @param builtAt       when the build finished
     * @param buildTime     how long it took, boot and save included
     */
    record Manifest(
            String format,
            String key,
            String shape,
            String templateDisk,
            long overlayBytes,
            String overlaySha256,
            long vmStateBytes,
            Instant builtAt,
            Duration buildTime) {}
}
