package io.testbed.provider.ssh;

import io.testbed.core.ssh.PinnedHostKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * One existing machine listed in an {@link Inventory}: how to reach it over SSH and what it offers. Everything an
 * {@link io.testbed.core.ssh.SshTransport} needs is here ({@link #address}, {@link #port}, {@link #user},
 * {@link #privateKey}, {@link #hostKey}); the rest is for matching.
 *
 * @param name       unique in the inventory; the {@code hostname} property requirements see, and the lease key
 * @param address    host name or IP address to connect to
 * @param port       SSH port, 1–65535
 * @param user       the login user
 * @param privateKey the private key file (0600) that logs {@code user} in
 * @param hostKey    the host key the server must present; there is no unpinned mode
 * @param roles      the roles the host can play
 * @param properties free-form properties (text, numbers, sizes such as {@code 16 GiB}) by name
 * @param nics       the NICs requests can ask for by network label, in inventory order
 */
@API(status = API.Status.INTERNAL)
public record InventoryHost(
        String name,
        String address,
        int port,
        String user,
        Path privateKey,
        PinnedHostKey hostKey,
        Set<String> roles,
        Map<String, String> properties,
        List<InventoryNic> nics) {

    public InventoryHost {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(hostKey, "hostKey");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("host '" + name + "': port must be 1-65535, was " + port);
        }
        roles = Set.copyOf(roles);
        properties = Map.copyOf(properties);
        nics = List.copyOf(nics);
    }

    /** {@code user@address:port}, for messages. */
    public String target() {
        return user + "@" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    /** The network labels its NICs are on, sorted. */
    public Set<String> networks() {
        return nics.stream().map(InventoryNic::network).collect(Collectors.toCollection(TreeSet::new));
    }

    /** How many of its NICs are on network {@code label}. */
    public int nicsOn(String label) {
        return (int) nics.stream().filter(nic -> nic.network().equals(label)).count();
    }

    @Override
    public String toString() {
        return name + " (" + target() + ")";
    }
}
