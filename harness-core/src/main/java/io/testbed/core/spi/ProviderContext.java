package io.testbed.core.spi;

import io.testbed.core.journal.Journal;
import io.testbed.core.prefix.Prefix;
import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What a provider gets from the engine: the prefix workspace, the journal, the owner to label objects
 * with, and configuration (keys such as {@code testbed.libvirt.uri}).
 */
@API(status = API.Status.EXPERIMENTAL)
public record ProviderContext(Prefix prefix, Journal journal, Owner owner, Map<String, String> configuration) {
    public ProviderContext {
        configuration = Map.copyOf(configuration);
    }

    /** A configuration value. */
    public Optional<String> config(String key) {
        return Optional.ofNullable(configuration.get(key));
    }
}
