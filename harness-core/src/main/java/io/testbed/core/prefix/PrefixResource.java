package io.testbed.core.prefix;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One row of {@code resources.json} in a prefix: a network or machine of the environment with its provider object
 * and its lifecycle state, rewritten by the engine on every state change so that the CLI and the reaper know what
 * exists even after the JVM was killed. Read with {@link Prefix#resources()}.
 *
 * @param kind       {@code network} or {@code machine}
 * @param name       the declared name
 * @param provider   the provider that creates it
 * @param providerId the provider's object id (domain or network name, container id); empty until created
 * @param subnet     a network's leased subnet in CIDR notation; null for machines
 * @param state      the lifecycle state ({@code DEFINED}, {@code CREATED}, {@code RUNNING}, … {@code DESTROYED})
 * @param addresses  a machine's planned address on each of its networks, network → address; empty for networks
 * @param endpoint   where the provider keeps the object: the daemon it talked to ({@link
 *                   io.testbed.core.spi.Provider#endpoint}, e.g. {@code unix:///var/run/docker.sock} or {@code
 *                   qemu:///system}); the reaper counts the object as reaped only by a reaper at that endpoint. Empty
 *                   when the provider has no single endpoint, and in prefixes written before it was recorded (then
 *                   any reaper of the provider counts, as before)
 */
@API(status = API.Status.EXPERIMENTAL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PrefixResource(
        String kind,
        String name,
        String provider,
        String providerId,
        String subnet,
        String state,
        Map<String, String> addresses,
        String endpoint) {

    /** The kind of a network row. */
    public static final String NETWORK = "network";
    /** The kind of a machine row. */
    public static final String MACHINE = "machine";

    public PrefixResource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        providerId = providerId == null ? "" : providerId;
        endpoint = endpoint == null ? "" : endpoint;
        // declaration order of the networks, as the plan has it
        addresses = addresses == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(addresses));
    }

    /** A row without a recorded endpoint (a provider that has none). */
    public PrefixResource(
            String kind,
            String name,
            String provider,
            String providerId,
            String subnet,
            String state,
            Map<String, String> addresses) {
        this(kind, name, provider, providerId, subnet, state, addresses, "");
    }

    /** Whether this row is a machine. */
    @JsonIgnore
    public boolean isMachine() {
        return MACHINE.equals(kind);
    }

    /** Whether this row is a network. */
    @JsonIgnore
    public boolean isNetwork() {
        return NETWORK.equals(kind);
    }
}
