package io.testbed.provider.ssh;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A NIC of an inventory host and the network segment it is on. Hosts whose NICs carry the same {@code network}
 * label share a segment; requested machines that ask for the same network label get hosts that do.
 *
 * @param name    the interface name on the host, e.g. {@code eth1}
 * @param network the label of the segment the NIC is on, e.g. {@code lab-a}
 */
@API(status = API.Status.INTERNAL)
public record InventoryNic(String name, String network) {

    public InventoryNic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(network, "network");
        if (name.isBlank() || network.isBlank()) {
            throw new IllegalArgumentException(
                    "NIC name and network must not be blank, were '" + name + "' and '" + network + "'");
        }
    }
}
