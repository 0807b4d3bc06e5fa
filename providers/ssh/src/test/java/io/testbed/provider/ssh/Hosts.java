package io.testbed.provider.ssh;

import io.testbed.core.ssh.PinnedHostKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Inventory hosts built in code for matcher tests: {@code Hosts.host("lab-1").prop("memory", "4 GiB").build()}. */
final class Hosts {

    static final PinnedHostKey KEY = PinnedHostKey.parse(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFMD3J3NmzFJrttQEEGoLBvkr6Fi8PDo3rBNXTWaExtk test");

    private final String name;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Set<String> roles = new LinkedHashSet<>();
    private final List<InventoryNic> nics = new ArrayList<>();

    private Hosts(String name) {
        this.name = name;
    }

    static Hosts host(String name) {
        return new Hosts(name);
    }

    Hosts prop(String key, String value) {
        properties.put(key, value);
        return this;
    }

    Hosts roles(String... names) {
        roles.addAll(List.of(names));
        return this;
    }

    /** NICs eth1, eth2, … on the given networks. */
    Hosts nics(String... networks) {
        for (String network : networks) {
            nics.add(new InventoryNic("eth" + (nics.size() + 1), network));
        }
        return this;
    }

    InventoryHost build() {
        return new InventoryHost(
                name,
                "192.0.2." + (Math.abs(name.hashCode()) % 250 + 1),
                22,
                "testbed",
                Path.of("/keys/lab"),
                KEY,
                roles,
                properties,
                nics);
    }

    static Inventory inventory(Hosts... hosts) {
        return new Inventory(
                "lab.yaml", java.util.Arrays.stream(hosts).map(Hosts::build).toList());
    }
}
