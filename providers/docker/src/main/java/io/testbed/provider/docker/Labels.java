package io.testbed.provider.docker;

import io.testbed.core.spi.Owner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The labels Testbed puts on every container, network and image it creates for an environment. Ryuk is off, so
 * these labels are the only way back to an object's owner: {@link DockerProvider#reapOrphans} lists objects by
 * {@link #PREFIX_ID} and removes those whose owner is dead.
 */
final class Labels {

    /** The owning prefix's uuid; present on every object Testbed created for an environment. */
    static final String PREFIX_ID = "io.testbed.prefix.id";
    /** The owning prefix's directory. */
    static final String PREFIX_PATH = "io.testbed.prefix.path";
    /** The process id of the JVM that created the object. */
    static final String PID = "io.testbed.pid";
    /** The machine a container or snapshot image belongs to. */
    static final String MACHINE = "io.testbed.machine";
    /** The declared network a Docker network carries. */
    static final String NETWORK = "io.testbed.network";
    /** The snapshot an image holds. */
    static final String SNAPSHOT = "io.testbed.snapshot";

    private Labels() {}

    /** The owner labels plus one more label. */
    static Map<String, String> of(Owner owner, String key, String value) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(PREFIX_ID, owner.prefixId());
        labels.put(PREFIX_PATH, owner.prefixPath());
        labels.put(PID, Long.toString(owner.pid()));
        labels.put(key, value);
        return labels;
    }

    /** The owner an object's labels name, if they are complete and well-formed. */
    static Optional<Owner> owner(Map<String, String> labels) {
        if (labels == null) {
            return Optional.empty();
        }
        String id = labels.get(PREFIX_ID);
        String path = labels.get(PREFIX_PATH);
        String pid = labels.get(PID);
        if (id == null || path == null || pid == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Owner(id, path, Long.parseLong(pid)));
        } catch (NumberFormatException malformed) {
            return Optional.empty();
        }
    }
}
