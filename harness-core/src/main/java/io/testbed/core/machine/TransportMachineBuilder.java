package io.testbed.core.machine;

import io.testbed.core.Machine;
import io.testbed.core.journal.Journal;
import io.testbed.core.spi.Transport;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/** Builder for {@link TransportMachine} ({@link TransportMachine#builder}); each setter validates at once. */
@API(status = API.Status.INTERNAL)
public final class TransportMachineBuilder {
    final String name;
    final Transport transport;
    Set<String> roles = Set.of();
    Map<String, String> properties = Map.of();
    final Map<String, InetAddress> addresses = new LinkedHashMap<>();
    InetAddress probeAddress;
    Journal journal;

    TransportMachineBuilder(String name, Transport transport) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("machine name (" + name + ") must not be blank");
        }
        this.name = name;
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** The machine's roles. */
    public TransportMachineBuilder roles(Set<String> roles) {
        this.roles = Set.copyOf(roles);
        return this;
    }

    /** The machine's free-form properties. */
    public TransportMachineBuilder properties(Map<String, String> properties) {
        this.properties = Map.copyOf(properties);
        return this;
    }

    /** Adds the machine's address on a network; the first one added is also the default probe address. */
    public TransportMachineBuilder address(String network, InetAddress address) {
        if (network == null || network.isBlank()) {
            throw new IllegalArgumentException("network name (" + network + ") must not be blank");
        }
        Objects.requireNonNull(address, "address on network " + network);
        if (addresses.putIfAbsent(network, address) != null) {
            throw new IllegalArgumentException("machine '" + name + "' already has an address on network '" + network
                    + "' (" + addresses.get(network).getHostAddress() + ")");
        }
        return this;
    }

    /** Adds several network addresses in iteration order; see {@link #address}. */
    public TransportMachineBuilder addresses(Map<String, InetAddress> addresses) {
        addresses.forEach(this::address);
        return this;
    }

    /**
     * The address {@link Machine#waitForPort} connects to, when it is not the first network address (e.g. an
     * SSH host reached on 127.0.0.1, a container's published address).
     */
    public TransportMachineBuilder probeAddress(InetAddress probeAddress) {
        this.probeAddress = Objects.requireNonNull(probeAddress, "probeAddress");
        return this;
    }

    /**
     * The environment's journal, which gets every command, job, copy and setting change (default: a journal
     * without a file, for machines used outside an environment).
     */
    public TransportMachineBuilder journal(Journal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
        return this;
    }

    /** The machine; it owns the transport from now on. */
    public TransportMachine build() {
        if (journal == null) {
            journal = Journal.withoutFile("machine " + name);
        }
        return new TransportMachine(this);
    }
}
