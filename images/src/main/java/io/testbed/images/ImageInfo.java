package io.testbed.images;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A disk image as {@code qemu-img info --output=json} describes it.
 *
 * @param format      QEMU's format name ({@code qcow2}, {@code raw}, …)
 * @param virtualSize the guest-visible size in bytes
 * @param actualSize  the bytes allocated on the host
 * @param backingFile the backing file, or null
 */
record ImageInfo(String format, long virtualSize, long actualSize, String backingFile) {

    /** Runs {@code qemu-img info -U --output=json} (-U: also works while a VM uses the image). */
    static ImageInfo inspect(Path image) {
        LocalCommand.Result result = Programs.check(
                Programs.of("qemu-img", "info", "-U", "--output=json", image.toString())
                        .timeout(Duration.ofSeconds(60)),
                "inspect the disk image " + image);
        return parse(result.stdout(), image);
    }

    static ImageInfo parse(String json, Path image) {
        try {
            JsonNode node = Json.mapper().readTree(json);
            JsonNode format = node.get("format");
            JsonNode virtualSize = node.get("virtual-size");
            if (format == null || virtualSize == null) {
                throw new TemplateException("`qemu-img info` of " + image + " printed no format/virtual-size: " + json);
            }
            JsonNode actual = node.get("actual-size");
            JsonNode backing = node.get("backing-filename");
            return new ImageInfo(
                    format.asText(),
                    virtualSize.asLong(),
                    actual == null ? 0 : actual.asLong(),
                    backing == null ? null : backing.asText());
        } catch (IOException e) {
            throw new TemplateException("Cannot parse `qemu-img info` output for " + image + ": " + e.getMessage(), e);
        }
    }
}
