package io.testbed.images;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One exact input of a built template: a distribution package at a version, identified by the SHA-256 of
 * its .deb file.
 *
 * @param name    the package name ({@code dropbear-bin})
 * @param version the exact version ({@code 2022.83-1+deb12u3})
 * @param sha256  the .deb file's SHA-256, lower-case hex
 * @param size    the .deb file's size in bytes
 */
@API(status = API.Status.INTERNAL)
public record TemplateInput(String name, String version, String sha256, long size) {
    public TemplateInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        if (!sha256.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException(
                    "TemplateInput " + name + ": sha256 (" + sha256 + ") must be 64 hex digits");
        }
        sha256 = sha256.toLowerCase(java.util.Locale.ROOT);
    }
}
