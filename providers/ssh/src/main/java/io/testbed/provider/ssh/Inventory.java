package io.testbed.provider.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The existing machines a test may use, read from a YAML file:
 *
 * <pre>{@code
 * defaults:                 # optional; every host inherits these unless it sets its own
 *   user: testbed
 *   private_key: keys/lab_ed25519     # relative to the inventory file; 0600; no passwords
 *   known_hosts: known_hosts          # or host_key per host
 * hosts:
 *   - name: lab-1
 *     address: 192.0.2.11
 *     port: 22                          # default 22
 *     host_key: ssh-ed25519 AAAAC3Nza…  # a line of the host's ssh_host_ed25519_key.pub
 *     roles: [web, frontend]
 *     properties: {memory: 16 GiB, cpus: 8, arch: x86_64, rack: b3}
 *     nics:
 *       - {name: eth1, network: lab-a}
 * }</pre>
 *
 * <p>{@link #load} checks the whole file at once and throws an {@link InventoryException} listing every problem
 * (unknown fields with a suggestion, missing or open private keys, passwords, unpinned host keys, bad values).
 * Key files are checked when loading, not read; nothing is connected.
 *
 * @param source where it was read from, for messages (the path as given, or a resource name)
 * @param hosts  the hosts in file order, names unique
 */
@API(status = API.Status.INTERNAL)
public record Inventory(String source, List<InventoryHost> hosts) {

    public Inventory {
        Objects.requireNonNull(source, "source");
        hosts = List.copyOf(hosts);
        Set<String> names = new HashSet<>();
        for (InventoryHost host : hosts) {
            if (!names.add(host.name())) {
                throw new IllegalArgumentException(
                        "inventory " + source + ": host name '" + host.name() + "' is used twice");
            }
        }
    }

    /**
     * Reads and checks an inventory file; relative paths in it are resolved against its directory.
     *
     * @throws InventoryException listing every problem, or saying why the file cannot be read
     */
    public static Inventory load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InventoryException(
                    "inventory " + file + ": cannot be read (" + e + "); check the path given for the inventory", e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(file.toString(), text, dir);
    }

    /**
     * Checks inventory YAML read from elsewhere (a class path resource, a generated string).
     *
     * @param source  named in messages
     * @param yaml    the content
     * @param baseDir what relative key and known_hosts paths are resolved against
     * @throws InventoryException listing every problem
     */
    public static Inventory parse(String source, String yaml, Path baseDir) {
        return InventoryReader.read(source, yaml, baseDir);
    }

    /** The host named {@code name}. */
    public Optional<InventoryHost> host(String name) {
        return hosts.stream().filter(host -> host.name().equals(name)).findFirst();
    }
}
