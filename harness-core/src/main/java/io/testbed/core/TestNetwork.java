package io.testbed.core;

import java.net.InetAddress;
import org.apiguardian.api.API;

/**
 * A live network of a test environment, as injected into tests.
 *
 * @param name     the declared name, unique in its environment
 * @param cidr     the subnet in CIDR notation, e.g. {@code 198.18.4.0/24}
 * @param gateway  the host-side address (.1 of the subnet)
 * @param bridge   the host bridge or Docker network that carries it, for diagnostics
 */
@API(status = API.Status.EXPERIMENTAL)
public record TestNetwork(String name, String cidr, InetAddress gateway, String bridge) {}
