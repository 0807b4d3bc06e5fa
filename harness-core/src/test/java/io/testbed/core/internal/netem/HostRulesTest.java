package io.testbed.core.internal.netem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.testbed.core.LinkConstraint;
import io.testbed.core.Links;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.spi.Owner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostRulesTest {

    private final List<Node> nodes = List.of(
            Nodes.node("a", Node.Kernel.OWN, Set.of("x"), "lan=198.18.7.2"),
            Nodes.node("b", Node.Kernel.OWN, Set.of("x"), "lan=198.18.7.3", "wan=198.18.8.3"),
            Nodes.node("c", Node.Kernel.HOST, Set.of("y"), "lan=198.18.7.4", "wan=198.18.8.4"));

    private final HostRules rules =
            new HostRules(new Owner("0123abcd-0000-4000-8000-000000000000", "/tmp/p", 42), Instant.ofEpochMilli(1000));

    @Test
    void nothingToDropMeansNoTable() {
        var table = LinkTable.resolve(
                List.of(LinkConstraint.between("a", "b").delay("5ms").build()), nodes, Nodes.groups(nodes));

        assertThat(rules.render(table, List.of(), nodes)).isEmpty();
    }

    @Test
    void cutsDropBothDirectionsAndLossDropsAShareOfOneDirection() {
        var table = LinkTable.resolve(
                List.of(LinkConstraint.between("a", "b").loss("10%").build()), nodes, Nodes.groups(nodes));
        CutRule cut = new CutRule(
                new Links.Cut(3, Links.Cut.Kind.PARTITION, "x | y"),
                List.of(new CutRule.Sides(List.of("a", "b"), List.of("c"))),
                "");

        assertThat(rules.render(table, List.of(cut), nodes)).contains("""
                        table bridge testbed_0123abcd
                        delete table bridge testbed_0123abcd
                        table bridge testbed_0123abcd {
                          comment "testbed pid=42 start=1000 prefix=/tmp/p"
                          chain links {
                            type filter hook forward priority -100; policy accept;
                            ip saddr { 198.18.7.2, 198.18.7.3, 198.18.8.3 } ip daddr { 198.18.7.4, 198.18.8.4 } drop \
                        comment "cut 3"
                            ip saddr { 198.18.7.4, 198.18.8.4 } ip daddr { 198.18.7.2, 198.18.7.3, 198.18.8.3 } drop \
                        comment "cut 3"
                            ip saddr 198.18.7.2 ip daddr 198.18.7.3 numgen random mod 10000 < 1000 drop \
                        comment "loss a -> b"
                          }
                        }
                        """);
    }

    @Test
    void aCutOnOneNetworkNamesOnlyItsAddresses() {
        CutRule down = new CutRule(
                new Links.Cut(1, Links.Cut.Kind.LINK_DOWN, "b on wan"),
                List.of(new CutRule.Sides(List.of("b"), List.of("a", "c"))),
                "wan");

        assertThat(rules.render(java.util.Map.of(), List.of(down), nodes).orElseThrow())
                .contains("ip saddr 198.18.8.3 ip daddr 198.18.8.4 drop")
                .doesNotContain("198.18.7.");
    }

    @Test
    void onlyTablesNamedAfterAnOwnerAreOurs() {
        assertThat(HostRules.tablesIn("table bridge filter\ntable bridge testbed_0123abcd\n"))
                .containsExactly("filter", "testbed_0123abcd");
        assertThat(HostRules.TABLE.matcher("filter").matches()).isFalse();
        assertThatThrownBy(() -> new HostRules(new Owner("nothex!!", "/tmp/p", 1), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCommentProvesAnOwnerDeadOnlyWhenItsProcessIsGone() throws Exception {
        ProcessHandle me = ProcessHandle.current();
        long started = me.info().startInstant().orElseThrow().toEpochMilli();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();

        assertThat(HostRules.deadReason("comment \"testbed pid=" + me.pid() + " start=" + started + "\""))
                .isEmpty();
        assertThat(HostRules.deadReason("comment \"testbed pid=" + gone.pid() + " start=" + started + "\""))
                .hasValue("process " + gone.pid() + " is dead");
        assertThat(HostRules.deadReason("comment \"something else\"")).isEmpty();
        assertThat(HostRules.deadReason("comment \"testbed pid=" + me.pid() + " start=" + (started - 60_000) + "\""))
                .hasValueSatisfying(why -> assertThat(why).startsWith("pid " + me.pid() + " now belongs to a process"));
        assertThat(HostRules.deadReason(
                        "comment \"testbed pid=" + me.pid() + " start=" + started + " prefix=/nonexistent/prefix\""))
                .hasValue("prefix directory /nonexistent/prefix is gone (no prefix.json)");
    }

    @Test
    void nftThatCannotBeStartedMeansNoTableWhileOtherFailuresAreFailures() {
        // a host without nftables has no table to delete: testbed destroy must not report one as "not removed"
        LocalCommand.FailedException missing = catchThrowableOfType(
                LocalCommand.FailedException.class,
                () -> LocalCommand.of("/nonexistent/testbed-no-nft").run());
        LocalCommand.FailedException killed = catchThrowableOfType(
                LocalCommand.FailedException.class,
                () -> LocalCommand.of("sleep", "30")
                        .timeout(Duration.ofMillis(200))
                        .run());

        assertThat(HostRules.couldNotStart(missing)).isTrue();
        assertThat(HostRules.couldNotStart(killed)).isFalse();
    }
}
