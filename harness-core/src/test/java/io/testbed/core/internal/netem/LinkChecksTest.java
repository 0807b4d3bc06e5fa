package io.testbed.core.internal.netem;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.LinkConstraint;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinkChecksTest {

    private final List<Node> nodes = List.of(
            Nodes.node("vm", Node.Kernel.OWN, Set.of("site-a"), "lan=198.18.7.2"),
            Nodes.node("box", Node.Kernel.HOST, Set.of("site-b"), "lan=198.18.7.3"),
            Nodes.node("far", Node.Kernel.OWN, Set.of("site-c"), "wan=198.18.8.3"),
            Nodes.node("lab", Node.Kernel.OWN, Set.of("site-d"))); // an existing host: on no network

    private List<String> problems(boolean hostNetem, LinkConstraint constraint) {
        return LinkChecks.check(List.of(constraint), nodes, Nodes.groups(nodes), Set.of("lan", "wan"), hostNetem)
                .stream()
                .map(p -> p.attribute() + " " + p.rule())
                .toList();
    }

    @Test
    void anUnknownGroupNamesTheMachinesAndRoles() {
        assertThat(problems(
                        true, LinkConstraint.between("site-x", "vm").loss("1%").build()))
                .containsExactly("from names 'site-x', which is no machine and no role; machines: [vm, box, far, lab], "
                        + "roles: [site-a, site-b, site-c, site-d]");
    }

    @Test
    void aDelayFromAContainerNeedsNetemInTheHostKernel() {
        LinkConstraint delay = LinkConstraint.between("site-a", "site-b")
                .delay("50ms")
                .symmetric()
                .build();

        assertThat(problems(false, delay))
                .containsExactly("delay 50ms from machine 'box' needs sch_netem in the kernel that carries its "
                        + "traffic: a container shares the host's kernel, which has no sch_netem; delay virtual "
                        + "machines instead, or run on a host whose kernel has sch_netem");
        assertThat(problems(true, delay)).isEmpty();
        assertThat(problems(
                        false,
                        LinkConstraint.between("site-a", "site-b").delay("50ms").build()))
                .isEmpty();
        assertThat(problems(
                        false,
                        LinkConstraint.between("site-b", "site-a").rate("1mbit").build()))
                .isEmpty();
    }

    @Test
    void unknownNetworksExceptionsAndEmptyCoversAreReported() {
        assertThat(problems(
                        true,
                        LinkConstraint.between("vm", "box")
                                .loss("1%")
                                .network("dmz")
                                .build()))
                .containsExactly("network names unknown network 'dmz'; networks: [lan, wan]");
        assertThat(problems(
                        true,
                        LinkConstraint.between("vm", "box")
                                .loss("1%")
                                .except("vm:nope")
                                .build()))
                .containsExactly("except names unknown machine 'nope' in 'vm:nope'; machines: [vm, box, far, lab]");
        assertThat(problems(true, LinkConstraint.between("vm", "far").loss("1%").build()))
                .containsExactly(" covers no pair of different machines that share a network");
    }

    @Test
    void aGroupThatSelectsAMachineOnNoNetworkIsRefusedNamingIt() {
        assertThat(problems(true, LinkConstraint.between("lab", "vm").loss("1%").build()))
                .containsExactly("from names machine 'lab', which is on no network of the environment (an existing"
                        + " host keeps its own NICs): Testbed shapes only traffic between machines on the"
                        + " environment's networks; constrain those machines instead");
        assertThat(problems(
                        true,
                        LinkConstraint.between("box", "site-d").delay("5ms").build()))
                .containsExactly("to names 'site-d', which selects [lab], on no network of the environment (an"
                        + " existing host keeps its own NICs): Testbed shapes only traffic between machines on the"
                        + " environment's networks; constrain those machines instead");
    }
}
