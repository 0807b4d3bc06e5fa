package io.testbed.core.spec;

/** How a network reaches the outside world. */
public enum NetworkMode {
    /** Machines reach each other and the host-side gateway, nothing else (the default). */
    ISOLATED,
    /** As isolated, plus outbound NAT through the host. */
    NAT
}
