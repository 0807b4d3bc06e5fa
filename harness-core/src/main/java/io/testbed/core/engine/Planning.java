package io.testbed.core.engine;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NetworkPlan;
import java.util.List;
import java.util.Map;

/** The engine's use of the address planner. */
final class Planning {

    private Planning() {}

    /** The whole plan of an environment. */
    record Plan(List<NetworkPlan> networks, List<MachinePlan> machines) {}

    /** Leased subnets must hold every machine of the environment. */
    static void checkFits(EnvironmentSpec spec, TestbedConfig config, Problems problems) {
        AddressPlanner.checkCapacity(spec, config.leasePrefixLength(), problems);
    }

    static Plan plan(EnvironmentSpec spec, String prefixId, Map<String, String> subnets) {
        AddressPlanner.EnvironmentPlan plan = AddressPlanner.plan(spec, prefixId, subnets);
        return new Plan(plan.networks(), plan.machines());
    }
}
