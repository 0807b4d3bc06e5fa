package io.testbed.images;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How to build one named template. The store asks for the exact inputs first (cheaply, without
 * downloading), derives the cache key from them, and calls {@link #build} only when no template with that
 * key exists yet.
 */
interface TemplateRecipe {

    /** The kernel file a built template holds. */
    String KERNEL = "vmlinuz";
    /** The initramfs file a built template holds. */
    String INITRD = "initrd.img";
    /** The root disk file a built template holds (qcow2). */
    String DISK = "root.qcow2";

    /** The template name users ask for. */
    String name();

    /** Changes whenever the recipe would produce something different from the same inputs. */
    String version();

    /**
     * A cheap fingerprint of everything {@link #resolveInputs} depends on (for apt: the package lists and
     * apt's configuration), so the store can remember resolved inputs; null when there is none.
     */
    default String inputsFingerprint() {
        return null;
    }

    /** The exact inputs the build would use now. */
    List<TemplateInput> resolveInputs(Consumer<String> progress);

    /**
     * Builds into {@code output} (empty, to be moved into place atomically afterwards) the files
     * {@link #KERNEL}, {@link #INITRD} and {@link #DISK}, using {@code work} for anything temporary.
     */
    BuildResult build(List<TemplateInput> inputs, Path output, Path work, Consumer<String> progress);

    /** What a build reports for the manifest. */
    record BuildResult(
            String kernelVersion,
            String kernelCommandLine,
            long diskVirtualSize,
            long rootTreeBytes,
            Map<String, List<String>> contents) {
        public BuildResult {
            contents = Map.copyOf(contents);
        }
    }
}
