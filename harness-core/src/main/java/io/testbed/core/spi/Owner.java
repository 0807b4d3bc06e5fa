package io.testbed.core.spi;

import java.util.Objects;

/**
 * Who owns a provider object: the prefix and the process that created it. Providers label every object
 * they create with it so that a reaper can find orphans after a crash.
 *
 * @param prefixId   the prefix uuid
 * @param prefixPath the prefix directory
 * @param pid        the creating JVM's process id
 */
public record Owner(String prefixId, String prefixPath, long pid) {
    public Owner {
        Objects.requireNonNull(prefixId, "prefixId");
        Objects.requireNonNull(prefixPath, "prefixPath");
    }
}
