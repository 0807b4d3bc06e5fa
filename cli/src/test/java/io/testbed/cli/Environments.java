package io.testbed.cli;

import io.testbed.core.prefix.PrefixResource;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Environments as {@code ls} describes them, for the tests of what reads and renders them. */
final class Environments {

    private Environments() {}

    static EnvironmentInfo of(String name, String id, String prefix) {
        return new EnvironmentInfo(
                name,
                id,
                prefix,
                4711,
                true,
                false,
                null,
                true,
                Instant.parse("2026-12-07T07:00:00Z"),
                125,
                List.of(machine("box", "docker", "RUNNING", "3f2a9c1e77", Map.of("lan", "198.18.7.10"))),
                List.of(new PrefixResource(
                        PrefixResource.NETWORK,
                        "lan",
                        "docker",
                        "tb-3f2a9c1e-lan",
                        "198.18.7.0/24",
                        "RUNNING",
                        Map.of())),
                List.of("198.18.7.0/24"),
                null);
    }

    static PrefixResource machine(
            String name, String provider, String state, String providerId, Map<String, String> addresses) {
        return new PrefixResource(PrefixResource.MACHINE, name, provider, providerId, null, state, addresses);
    }
}
