package io.testbed.images;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * What a template is made of, stored as {@code manifest.json} next to a built template's files.
 *
 * @param name              the template's name
 * @param kind              built or image
 * @param key               the content address (SHA-256 over recipe version and inputs); null for images
 * @param recipeVersion     the recipe version that built it; null for images
 * @param builtAt           when it was built; null for images
 * @param buildTime         how long the build took; null for images
 * @param inputs            the exact packages that went in
 * @param kernelVersion     the guest kernel release ({@code 6.1.0-28-cloud-amd64}); null for images
 * @param kernelCommandLine the kernel command line; null for images
 * @param fileSizes         byte sizes of the template's files by file name
 * @param diskFormat        the root disk's format
 * @param diskVirtualSize   the root disk's virtual size in bytes
 * @param diskActualSize    the bytes the root disk occupies on the host
 * @param rootTreeBytes     the total size of the files in the root file system; 0 for images
 * @param contents          what went in, by kind: {@code programs}, {@code libraries}, {@code initramfsModules},
 *                          {@code rootModules}, {@code busyboxApplets}, {@code notes}
 */
@API(status = API.Status.INTERNAL)
public record TemplateManifest(
        String name,
        Template.Kind kind,
        String key,
        String recipeVersion,
        Instant builtAt,
        Duration buildTime,
        List<TemplateInput> inputs,
        String kernelVersion,
        String kernelCommandLine,
        Map<String, Long> fileSizes,
        String diskFormat,
        long diskVirtualSize,
        long diskActualSize,
        long rootTreeBytes,
        Map<String, List<String>> contents) {

    public TemplateManifest {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        fileSizes = fileSizes == null ? Map.of() : Map.copyOf(fileSizes);
        contents = contents == null ? Map.of() : Map.copyOf(contents);
    }
}
