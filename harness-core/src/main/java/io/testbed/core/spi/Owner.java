package io.testbed.core.spi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Who owns a provider object: the prefix and the process that created it. Providers label every object
 * they create with it so that a reaper can find orphans after a crash; whether an owner still lives is the
 * engine's business ({@code io.testbed.core.internal.owner.OwnerLiveness}), not the provider's.
 *
 * @param prefixId   the prefix uuid
 * @param prefixPath the prefix directory
 * @param pid        the creating JVM's process id
 */
@API(status = API.Status.EXPERIMENTAL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Owner(String prefixId, String prefixPath, long pid) {

    public Owner {
        Objects.requireNonNull(prefixId, "prefixId");
        Objects.requireNonNull(prefixPath, "prefixPath");
    }

    /** The first 8 characters of the prefix uuid, as used in provider object names. */
    @JsonIgnore
    public String shortId() {
        return prefixId.substring(0, Math.min(8, prefixId.length()));
    }
}
