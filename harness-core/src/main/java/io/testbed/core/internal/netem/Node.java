package io.testbed.core.internal.netem;

import io.testbed.core.Machine;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * A machine as network emulation sees it.
 *
 * @param name      the machine's name
 * @param roles     its roles, for groups
 * @param addresses its address on each network it is on, by network name
 * @param kernel    whose kernel carries its traffic control
 * @param restore   what a revert does to its traffic control
 * @param machine   the live machine that runs {@code tc}; null only in tests of pure logic
 */
@API(status = API.Status.INTERNAL)
public record Node(
        String name,
        Set<String> roles,
        Map<String, InetAddress> addresses,
        Kernel kernel,
        Restore restore,
        Machine machine) {

    public Node {
        roles = Set.copyOf(roles);
        addresses = Collections.unmodifiableMap(new LinkedHashMap<>(addresses)); // in NIC order
    }

    /** Whose kernel carries the machine's traffic control. */
    public enum Kernel {
        /** A virtual machine's own guest kernel. */
        OWN,
        /** The host's kernel (a container: its network namespace, the host's qdiscs). */
        HOST
    }

    /** What a revert to a snapshot does to the machine's traffic control. */
    public enum Restore {
        /** Comes back as it was at the snapshot (memory snapshots of a VM). */
        WITH_SNAPSHOT,
        /** Starts empty (a container recreated from a committed image gets a new network namespace). */
        EMPTY,
        /** Stays as it is (a machine that cannot snapshot). */
        UNCHANGED
    }
}
