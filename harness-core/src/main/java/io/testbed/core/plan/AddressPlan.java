package io.testbed.core.plan;

import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NetworkPlan;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The addresses, MACs and object names of one environment, as {@link AddressPlanner} computed them.
 *
 * @param networks the networks, in declaration order
 * @param machines the machines, in declaration order
 */
@API(status = API.Status.INTERNAL)
public record AddressPlan(List<NetworkPlan> networks, List<MachinePlan> machines) {

    public AddressPlan {
        networks = List.copyOf(networks);
        machines = List.copyOf(machines);
    }

    /** The network named {@code name}; throws naming the planned networks when there is none. */
    public NetworkPlan network(String name) {
        return networks.stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no network '" + name + "' in the plan; planned: "
                        + networks.stream().map(NetworkPlan::name).toList()));
    }

    /** The machine named {@code name}; throws naming the planned machines when there is none. */
    public MachinePlan machine(String name) {
        return machines.stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no machine '" + name + "' in the plan; planned: "
                        + machines.stream().map(MachinePlan::name).toList()));
    }
}
