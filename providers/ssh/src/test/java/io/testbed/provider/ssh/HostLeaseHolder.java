package io.testbed.provider.ssh;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The second JVM of {@link HostLeaseStoreMultiProcessIT}: creates a prefix, leases the hosts named in its arguments
 * and holds them until it is killed. Arguments: {@code storeDir prefixRoot host…}. Prints {@code HELD <prefixId>}
 * once the lease is recorded.
 */
public final class HostLeaseHolder {

    private HostLeaseHolder() {}

    public static void main(String[] args) throws InterruptedException {
        HostLeaseStore store = new HostLeaseStore(Path.of(args[0]));
        Prefix prefix = Prefix.create(Path.of(args[1]), "holder");
        Owner owner = new Owner(
                prefix.id(), prefix.dir().toString(), ProcessHandle.current().pid());
        store.acquire(owner, Arrays.asList(args).subList(2, args.length), Duration.ofSeconds(30));
        System.out.println("HELD " + prefix.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
