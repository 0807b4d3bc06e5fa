package io.testbed.core.spec;

import org.apiguardian.api.API;

/** How a network reaches the outside world. */
@API(status = API.Status.EXPERIMENTAL)
public enum NetworkMode {
    /** Machines reach each other and the host-side gateway, nothing else (the default). */
    ISOLATED,
    /** As isolated, plus outbound NAT through the host. */
    NAT
}
