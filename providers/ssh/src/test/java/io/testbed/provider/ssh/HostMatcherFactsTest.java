package io.testbed.provider.ssh;

import static io.testbed.provider.ssh.Hosts.host;
import static io.testbed.provider.ssh.Hosts.inventory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The matcher probes facts only for hosts still in the running and only for properties not declared. */
class HostMatcherFactsTest {

    private final List<String> probed = new ArrayList<>();

    private HostFacts probe(InventoryHost host) {
        probed.add(host.name());
        return switch (host.name()) {
            case "lab-1" -> HostFacts.parse(HostFactsTest.DEBIAN);
            case "lab-2" -> HostFacts.parse(HostFactsTest.LAB_SERVER);
            case "lab-3" -> HostFacts.parse(HostFactsTest.TINY);
            default -> throw new TestbedException("Cannot probe " + host.name() + ": connection refused");
        };
    }

    @Test
    void probesOnlyWhatIsNeededAndDeclaredValuesWin() {
        Inventory inventory = inventory(
                host("lab-1"), host("lab-2").roles("big"), host("lab-3").prop("memory", "1 TiB"));
        HostMatcher matcher = new HostMatcher(inventory, this::probe);
        assertThat(matcher.match(List.of(MachineRequest.of("any", "hostname ~ lab")))
                        .displayName())
                .isEqualTo("any=lab-1");
        assertThat(probed).as("no fact was needed").isEmpty();
        assertThat(matcher.match(List.of(
                                MachineRequest.of("big", "memory >= 256 GiB").withRoles("big")))
                        .displayName())
                .isEqualTo("big=lab-2");
        assertThat(probed)
                .as("lab-1 and lab-3 lack the role; no probe for them")
                .containsExactly("lab-2");
        probed.clear();
        assertThat(matcher.match(List.of(MachineRequest.of("huge", "memory >= 512 GiB")))
                        .displayName())
                .as("lab-3 declares 1 TiB and is not probed for memory")
                .isEqualTo("huge=lab-3");
        assertThat(probed).containsExactly("lab-1", "lab-2");
        probed.clear();
        assertThat(matcher.match(List.of(MachineRequest.of("x", "drivers ~ ixgbe", "cpus >= 8", "arch = x86_64")))
                        .displayName())
                .isEqualTo("x=lab-2");
        assertThat(probed).as("one probe per host per match").containsExactly("lab-1", "lab-2", "lab-3");
    }

    @Test
    void aHostThatCannotBeProbedIsRejectedWithTheProbesMessage() {
        Inventory inventory = inventory(host("lab-1"), host("down"));
        assertThatThrownBy(() ->
                        new HostMatcher(inventory, this::probe).match(List.of(MachineRequest.of("x", "cpus >= 4"))))
                .isInstanceOf(NoMatchException.class)
                .hasMessageContaining("    lab-1: cpus 2 < 4" + System.lineSeparator()
                        + "    down: cpus: facts could not be probed: Cannot probe down: connection refused");
        assertThatThrownBy(() -> new HostMatcher(inventory).match(List.of(MachineRequest.of("x", "cpus >= 4"))))
                .as("without a probe, undeclared facts are missing")
                .hasMessageContaining("    lab-1: cpus: no such property (neither declared nor probed)");
    }
}
