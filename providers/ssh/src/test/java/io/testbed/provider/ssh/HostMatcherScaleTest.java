package io.testbed.provider.ssh;

import static io.testbed.provider.ssh.Hosts.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * 500 hosts × 5 linked requests: the matches are checked independently of the matcher. How long it takes is
 * measured by the bench ({@code --only ssh}, metric {@code ssh.match.500_hosts_5_requests}), not here.
 */
class HostMatcherScaleTest {

    private static Inventory fiveHundredHosts() {
        List<InventoryHost> hosts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Hosts h = host("lab-" + i)
                    .prop("memory", (1 + i % 32) + " GiB")
                    .prop("cpus", Integer.toString(1 + i % 16))
                    .prop("arch", i % 3 == 0 ? "aarch64" : "x86_64")
                    .nics("seg-" + (i % 50), "wan-" + (i % 7));
            if (i % 5 == 0) {
                h.roles("db");
            }
            hosts.add(h.build());
        }
        return new Inventory("big.yaml", hosts);
    }

    private static final List<MachineRequest> REQUESTS = List.of(
            MachineRequest.of("web1", "memory >= 16 GiB", "cpus >= 8", "arch = x86_64")
                    .withNetworks("lan"),
            MachineRequest.of("web2", "memory >= 16 GiB", "arch = x86_64").withNetworks("lan"),
            MachineRequest.of("db", "memory >= 24 GiB").withRoles("db").withNetworks("lan"),
            MachineRequest.of("lb", "hostname ~ 7$").withNetworks("lan", "wan"),
            MachineRequest.of("mon", "cpus >= 2").withNetworks("wan"));

    @Test
    void matchesFiveRequestsAgainstFiveHundredHosts() {
        Inventory inventory = fiveHundredHosts();
        HostMatcher matcher = new HostMatcher(inventory);
        Match first = matcher.match(REQUESTS);
        List<Match> all = matcher.matchAll(REQUESTS, 200);
        Match again = matcher.match(REQUESTS);
        verify(first);
        assertThat(all).hasSize(200);
        all.forEach(HostMatcherScaleTest::verify);
        assertThat(all).extracting(Match::displayName).doesNotHaveDuplicates();
        assertThat(again.displayName()).as("deterministic").isEqualTo(first.displayName());
    }

    @Test
    void explainsAnImpossibleLinkAmongFiveHundredHosts() {
        HostMatcher matcher = new HostMatcher(fiveHundredHosts());
        List<MachineRequest> requests = new ArrayList<>(REQUESTS);
        // sixteen db machines on one segment: at most ten db hosts share a seg-N, at most fifteen a wan-N
        for (int i = 0; i < 16; i++) {
            requests.add(MachineRequest.of("n" + i).withRoles("db").withNetworks("crowd"));
        }
        assertThatThrownBy(() -> matcher.match(requests))
                .isInstanceOf(NoMatchException.class)
                .hasMessageContaining("each network link holds on its own");
    }

    /** Checks a match against the requests without the matcher's code paths for search and labels. */
    private static void verify(Match match) {
        assertThat(match.placements()).hasSize(REQUESTS.size());
        Set<String> hosts = new HashSet<>();
        Map<String, String> labelToNetwork = new HashMap<>();
        for (int r = 0; r < REQUESTS.size(); r++) {
            MachineRequest request = REQUESTS.get(r);
            Match.Placement placement = match.placements().get(r);
            InventoryHost host = placement.host();
            assertThat(placement.machine()).isEqualTo(request.name());
            assertThat(hosts.add(host.name()))
                    .as("%s: host %s used twice", match, host.name())
                    .isTrue();
            assertThat(host.roles()).containsAll(request.roles());
            for (Requirement requirement : request.requirements()) {
                assertThat(requirement.check(name -> name.equals("hostname")
                                ? Optional.of(host.name())
                                : Optional.ofNullable(host.properties().get(name))))
                        .as("%s on %s", requirement, host)
                        .isEmpty();
            }
            assertThat(placement.nics()).hasSize(request.networks().size()).doesNotHaveDuplicates();
            assertThat(host.nics()).containsAll(placement.nics());
            for (int n = 0; n < request.networks().size(); n++) {
                String network = placement.nics().get(n).network();
                String previous = labelToNetwork.putIfAbsent(request.networks().get(n), network);
                assertThat(previous == null ? network : previous)
                        .as("label %s", request.networks().get(n))
                        .isEqualTo(network);
            }
        }
        assertThat(new HashSet<>(labelToNetwork.values()))
                .as("distinct labels, distinct networks")
                .hasSize(labelToNetwork.size());
        assertThat(match.networks()).isEqualTo(labelToNetwork);
    }

    @Test
    void givesUpOnAHopelessSearchAndStillExplains() {
        // 13 machines for 12 interchangeable hosts, hidden among 15 machines for 15 hosts: too many machines to check
        // every subset up front, and 12! ways to try; the search stops after its step budget
        List<InventoryHost> hosts = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            hosts.add(host("a-" + i).roles("a").build());
        }
        List<MachineRequest> requests = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            requests.add(MachineRequest.of("m" + i).withRoles("a"));
        }
        for (int i = 1; i <= 3; i++) {
            hosts.add(host("other-" + i).build());
        }
        requests.add(MachineRequest.of("x1"));
        requests.add(MachineRequest.of("x2"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> new HostMatcher(new Inventory("lab.yaml", hosts)).match(requests))
                .isInstanceOf(NoMatchException.class)
                .hasMessageStartingWith(
                        "Matching gave up after 50000 steps without finding an assignment: the requests "
                                + "leave many hosts that almost fit; add requirements or roles that narrow the candidates."
                                + System.lineSeparator()
                                + "No inventory hosts fit the requested machines (inventory lab.yaml, "
                                + "15 hosts):")
                .hasMessageContaining("  m12 (roles a): candidates a-0, a-1, a-2, a-3, a-4, a-5, a-6, a-7, a-8, a-9, "
                        + "a-10, a-11" + System.lineSeparator() + "    other-1: lacks role a (has none)");
        System.out.printf(
                "13 of 15 machines for 12 of 15 hosts: gave up in %.1f ms%n", (System.nanoTime() - start) / 1e6);
        // with 12 machines or fewer the subsets are checked first: no search at all
        assertThatThrownBy(() ->
                        new HostMatcher(new Inventory("lab.yaml", hosts.subList(1, 13))).match(requests.subList(0, 12)))
                .hasMessageContaining("m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11 can only use a-1, a-2, a-3, "
                        + "a-4, a-5, a-6, a-7, a-8, a-9, a-10, a-11 between them (12 machines, 11 hosts)");
    }
}
