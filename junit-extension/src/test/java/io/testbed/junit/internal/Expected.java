package io.testbed.junit.internal;

/** Messages that come from other parts of Testbed (core, lease store), in one place. */
final class Expected {

    static final String CONFIGURATION_HINT = " (Testbed reads configuration parameters given to the launcher, system "
            + "properties and junit-platform.properties; known keys: "
            + io.testbed.core.config.TestbedConfig.knownKeys().keySet() + ")";

    private Expected() {}

    /** The lease pool's rule for an explicit subnet outside it. */
    static String outsidePool(String cidr) {
        return cidr + " lies outside the lease pool 198.18.0.0/15; declare a subnet inside the pool, or configure "
                + "testbed.lease.pool";
    }
}
