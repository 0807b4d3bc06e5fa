package io.testbed.bench;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import io.testbed.images.FileTrees;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bare-QEMU anchors' network: a Linux bridge on a subnet leased from Testbed's lease store (so it never
 * collides with a Testbed network or another bench), the host at {@code .1}, and one tap on it for the guest at
 * {@code .15} — what libvirt gives Testbed's domains, built by hand with {@code ip}. Links are named
 * {@value #BRIDGE_PREFIX}{@code <prefix id>} and {@value #TAP_PREFIX}{@code <prefix id>}, which {@link Leaks}
 * looks for. {@link #close()} deletes both, releases the lease and deletes the lease's prefix.
 */
final class BenchBridge implements AutoCloseable {

    static final String BRIDGE_PREFIX = "tbb-";
    static final String TAP_PREFIX = "tbt-";
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

    private final LeaseStore leases;
    private final Lease lease;
    private final Prefix prefix;
    private final String bridge;
    private final String tap;
    private final List<String> created = new ArrayList<>();

    private BenchBridge(LeaseStore leases, Lease lease, Prefix prefix) {
        this.leases = leases;
        this.lease = lease;
        this.prefix = prefix;
        this.bridge = BRIDGE_PREFIX + prefix.shortId();
        this.tap = TAP_PREFIX + prefix.shortId();
    }

    /**
     * Leases a subnet and creates the bridge and tap, both with {@code mtu} (0 keeps the kernel's default).
     *
     * @throws BenchException naming the {@code ip} command that failed; whatever was created is removed
     */
    static BenchBridge create(TestbedConfig config, int mtu) {
        Prefix prefix = Prefix.create(config.prefixRoot(), "bench-bridge");
        LeaseStore leases = LeaseStore.fromConfiguration(config.asMap());
        Lease lease;
        try {
            lease = leases.acquire(
                            new Owner(
                                    prefix.id(),
                                    prefix.dir().toString(),
                                    ProcessHandle.current().pid()),
                            1)
                    .get(0);
        } catch (RuntimeException e) {
            FileTrees.deleteQuietly(prefix.dir());
            throw e;
        }
        BenchBridge network = new BenchBridge(leases, lease, prefix);
        try {
            String mtuArgs = mtu > 0 ? " mtu " + mtu : "";
            network.ip("link add name " + network.bridge + " type bridge" + mtuArgs, network.bridge);
            network.ip("addr add " + network.hostAddress() + "/24 dev " + network.bridge, null);
            network.ip("link set " + network.bridge + " up", null);
            network.ip("tuntap add dev " + network.tap + " mode tap", network.tap);
            network.ip("link set " + network.tap + " master " + network.bridge + mtuArgs + " up", null);
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** The tap the guest's NIC uses. */
    String tap() {
        return tap;
    }

    /** The leased subnet, e.g. {@code 198.18.3.0/24}. */
    String subnet() {
        return lease.subnet();
    }

    /** The host's address on the bridge, the guest's gateway. */
    String hostAddress() {
        return host(1);
    }

    /** The guest's address. */
    InetAddress guestAddress() {
        try {
            return InetAddress.getByName(host(15));
        } catch (UnknownHostException e) {
            throw new BenchException("Not an address: " + host(15), e);
        }
    }

    InetAddress gateway() {
        try {
            return InetAddress.getByName(hostAddress());
        } catch (UnknownHostException e) {
            throw new BenchException("Not an address: " + hostAddress(), e);
        }
    }

    private String host(int last) {
        String network = lease.subnet().substring(0, lease.subnet().indexOf('/'));
        return network.substring(0, network.lastIndexOf('.') + 1) + last;
    }

    private void ip(String arguments, String creates) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments.split(" ")));
        LocalCommand.Result outcome = LocalCommands.run(IP_TIMEOUT, command.toArray(String[]::new));
        if (!outcome.succeeded()) {
            throw new BenchException("`" + String.join(" ", command) + "` failed: "
                    + outcome.stdout().strip()
                    + "; the bench's bare-QEMU anchors need root and the bridge and tun drivers");
        }
        if (creates != null) {
            created.add(0, creates);
        }
    }

    /** Deletes the tap and the bridge, releases the lease, deletes the prefix; never throws. */
    @Override
    public void close() {
        for (String link : created) {
            try {
                LocalCommands.run(IP_TIMEOUT, "ip", "link", "del", link);
            } catch (BenchException e) {
                // the leak check reports what is left
            }
        }
        created.clear();
        try {
            leases.release(lease);
        } catch (RuntimeException e) {
            // the leak check reports the lease
        }
        FileTrees.deleteQuietly(prefix.dir());
    }
}
