package io.testbed.core.spi;

import io.testbed.core.spec.MachineSpec;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A machine as planned: the declared spec plus its object name and NICs.
 *
 * @param spec       the declaration
 * @param objectName the provider object name, unique per prefix ({@code tb-<prefix8>-<name>})
 * @param nics       the NICs in declaration order, with planned MACs and addresses
 */
@API(status = API.Status.EXPERIMENTAL)
public record MachinePlan(MachineSpec spec, String objectName, List<NicPlan> nics) {

    public MachinePlan {
        nics = List.copyOf(nics);
    }

    public String name() {
        return spec.name();
    }
}
