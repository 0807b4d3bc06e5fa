package io.testbed.core.internal.netem;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.LinkConstraint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinkTableTest {

    private final List<Node> nodes = List.of(
            Nodes.node("p1", Node.Kernel.OWN, Set.of("paris"), "wan=198.18.0.2"),
            Nodes.node("p2", Node.Kernel.OWN, Set.of("paris"), "wan=198.18.0.3", "lan=198.18.1.3"),
            Nodes.node("b1", Node.Kernel.OWN, Set.of("berlin"), "wan=198.18.0.4", "lan=198.18.1.4"));

    private Map<LinkTable.Direction, LinkTable.Shape> resolve(LinkConstraint... constraints) {
        return LinkTable.resolve(List.of(constraints), nodes, Nodes.groups(nodes));
    }

    @Test
    void symmetricConstraintsCoverBothDirectionsOnEverySharedNetwork() {
        var table = resolve(LinkConstraint.between("paris", "berlin")
                .delay("50ms")
                .symmetric()
                .build());

        assertThat(table.keySet())
                .containsExactly(
                        new LinkTable.Direction("p1", "b1", "wan"),
                        new LinkTable.Direction("p2", "b1", "wan"),
                        new LinkTable.Direction("p2", "b1", "lan"),
                        new LinkTable.Direction("b1", "p1", "wan"),
                        new LinkTable.Direction("b1", "p2", "wan"),
                        new LinkTable.Direction("b1", "p2", "lan"));
    }

    @Test
    void oneWayConstraintsExceptionsAndNetworksNarrowThePairs() {
        var table = resolve(LinkConstraint.between("paris", "berlin")
                .loss("10%")
                .network("wan")
                .except("b1:p1")
                .build());

        assertThat(table.keySet()).containsExactly(new LinkTable.Direction("p2", "b1", "wan"));
    }

    @Test
    void aLaterConstraintReplacesAnEarlierOneForThePairsItCovers() {
        var table = resolve(
                LinkConstraint.between("*", "*").delay("5ms").network("wan").build(),
                LinkConstraint.between("p1", "b1").rate("1mbit").build());

        assertThat(table.get(new LinkTable.Direction("p1", "b1", "wan")))
                .isEqualTo(new LinkTable.Shape(Duration.ZERO, Duration.ZERO, 0, 1_000_000));
        assertThat(table.get(new LinkTable.Direction("b1", "p1", "wan")).delay())
                .isEqualTo(Duration.ofMillis(5));
        assertThat(table.get(new LinkTable.Direction("p1", "p2", "wan")).delay())
                .isEqualTo(Duration.ofMillis(5));
        assertThat(table).hasSize(6);
    }
}
