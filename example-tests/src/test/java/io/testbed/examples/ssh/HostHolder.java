package io.testbed.examples.ssh;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import io.testbed.provider.ssh.HostLeaseStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The second JVM of {@link ExistingHostsOnVmsIT}: creates a prefix, leases the inventory hosts named in its
 * arguments in the host-wide store and holds them until it is killed. Arguments: {@code leaseDir prefixRoot host…}.
 * Prints {@code HELD <pid>} once the lease is recorded.
 */
public final class HostHolder {

    private HostHolder() {}

    public static void main(String[] args) throws InterruptedException {
        HostLeaseStore store = HostLeaseStore.besideSubnetLeases(Path.of(args[0]));
        Prefix prefix = Prefix.create(Path.of(args[1]), "holder");
        long pid = ProcessHandle.current().pid();
        store.acquire(
                new Owner(prefix.id(), prefix.dir().toString(), pid),
                Arrays.asList(args).subList(2, args.length),
                Duration.ofMinutes(5));
        System.out.println("HELD " + pid);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
