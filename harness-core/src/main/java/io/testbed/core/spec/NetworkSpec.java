package io.testbed.core.spec;

import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * A declared network.
 *
 * @param name   unique in the environment, a DNS label
 * @param mode   isolated (default) or NAT
 * @param subnet an explicit subnet in CIDR notation, or empty to lease a /24 from the pool
 * @param dhcp   whether a DHCP server hands out the planned addresses
 * @param mtu    the MTU, or 0 for the provider's default (1500)
 */
@API(status = API.Status.EXPERIMENTAL)
public record NetworkSpec(String name, NetworkMode mode, Optional<String> subnet, boolean dhcp, int mtu) {

    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9000;

    public NetworkSpec {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(subnet, "subnet");
        String element = "network " + Problems.quote(name);
        Problems problems = new Problems().checkName(element, name);
        if (mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            problems.add(
                    element, "mtu", "must be 0 (default) or between " + MIN_MTU + " and " + MAX_MTU + ", was " + mtu);
        }
        problems.throwIfAny();
    }

    /** An isolated, DHCP-served network on a leased subnet with the default MTU. */
    public static NetworkSpec leased(String name) {
        return new NetworkSpec(name, NetworkMode.ISOLATED, Optional.empty(), true, 0);
    }

    public String element() {
        return "network " + Problems.quote(name);
    }
}
