package io.testbed.provider.ssh;

import static io.testbed.provider.ssh.Hosts.host;
import static io.testbed.provider.ssh.Hosts.inventory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostMatcherTest {

    private static final String NL = System.lineSeparator();

    private final Inventory lab = inventory(
            host("lab-1")
                    .prop("memory", "2 GiB")
                    .prop("cpus", "2")
                    .prop("arch", "x86_64")
                    .roles("db"),
            host("lab-2")
                    .prop("memory", "8 GiB")
                    .prop("cpus", "4")
                    .prop("arch", "aarch64")
                    .roles("web", "frontend"),
            host("lab-3")
                    .prop("memory", "16 GiB")
                    .prop("cpus", "8")
                    .prop("arch", "x86_64")
                    .roles("web", "db"));

    private static String mapping(Match match) {
        return match.displayName();
    }

    @Test
    void matchesByOperatorsAndUnits() {
        HostMatcher matcher = new HostMatcher(lab);
        assertThat(mapping(matcher.match(List.of(MachineRequest.of("web", "memory >= 4 GiB", "arch = x86_64")))))
                .isEqualTo("web=lab-3");
        assertThat(mapping(matcher.match(List.of(MachineRequest.of("web", "memory > 4 GB", "cpus < 8")))))
                .isEqualTo("web=lab-2");
        assertThat(mapping(matcher.match(List.of(
                        MachineRequest.of("web", "hostname ~ -[13]$", "arch != aarch64", "memory <= 2048 MiB")))))
                .isEqualTo("web=lab-1");
    }

    @Test
    void firstFitInInventoryOrderAndDistinctHosts() {
        HostMatcher matcher = new HostMatcher(lab);
        List<MachineRequest> requests = List.of(MachineRequest.of("a"), MachineRequest.of("b"), MachineRequest.of("c"));
        assertThat(mapping(matcher.match(requests))).isEqualTo("a=lab-1, b=lab-2, c=lab-3");
        assertThat(mapping(matcher.match(requests))).isEqualTo("a=lab-1, b=lab-2, c=lab-3");
        assertThat(matcher.match(requests).hostNames()).containsExactly("lab-1", "lab-2", "lab-3");
    }

    @Test
    void backtracksWhereGreedyDeclarationOrderFails() {
        // greedy would give "small" lab-2 (first fit), leaving nothing for "big"
        Inventory inventory = inventory(
                host("lab-1").prop("memory", "1 GiB"),
                host("lab-2").prop("memory", "8 GiB"),
                host("lab-3").prop("memory", "32 GiB"));
        List<MachineRequest> requests = List.of(
                MachineRequest.of("small", "memory >= 2 GiB"),
                MachineRequest.of("big", "memory >= 16 GiB"),
                MachineRequest.of("any"));
        assertThat(mapping(new HostMatcher(inventory).match(requests))).isEqualTo("small=lab-2, big=lab-3, any=lab-1");
    }

    @Test
    void backtracksOverNetworkLabelChoices() {
        // a and b must share a segment; taking lab-1 (alone on seg-1) first leads nowhere
        Inventory inventory = inventory(
                host("lab-1").nics("seg-1"),
                host("lab-2").nics("seg-2"),
                host("lab-3").nics("seg-2"));
        Match match = new HostMatcher(inventory)
                .match(List.of(
                        MachineRequest.of("a").withNetworks("lan"),
                        MachineRequest.of("b").withNetworks("lan")));
        assertThat(mapping(match)).isEqualTo("a=lab-2, b=lab-3");
        assertThat(match.networks()).containsExactly(java.util.Map.entry("lan", "seg-2"));
        assertThat(match.placements().get(1).nics()).containsExactly(new InventoryNic("eth1", "seg-2"));
    }

    @Test
    void distinctRequestedLabelsNeedDistinctNetworksAndRepeatedLabelsNeedSeveralNics() {
        Inventory inventory = inventory(
                host("one-seg").nics("seg-1", "seg-1"),
                host("two-segs").nics("seg-1", "seg-2"),
                host("router").nics("seg-2", "seg-1", "seg-1"));
        HostMatcher matcher = new HostMatcher(inventory);
        assertThat(mapping(matcher.match(List.of(MachineRequest.of("r").withNetworks("lan", "wan")))))
                .isEqualTo("r=two-segs");
        assertThat(mapping(matcher.match(List.of(MachineRequest.of("b").withNetworks("lan", "lan")))))
                .isEqualTo("b=one-seg");
        Match bonded = matcher.match(List.of(MachineRequest.of("b").withNetworks("lan", "wan", "lan")));
        assertThat(mapping(bonded)).isEqualTo("b=router");
        assertThat(bonded.networks())
                .containsExactly(java.util.Map.entry("lan", "seg-1"), java.util.Map.entry("wan", "seg-2"));
        assertThat(bonded.placements().get(0).nics())
                .extracting(InventoryNic::name)
                .containsExactly("eth2", "eth1", "eth3");
    }

    @Test
    void linkedMachinesShareOneInventoryNetworkAndOthersGetAnotherOne() {
        Inventory inventory = inventory(
                host("a1").nics("seg-1"),
                host("a2").nics("seg-1", "seg-2"),
                host("b1").nics("seg-2"),
                host("b2").nics("seg-2"));
        Match match = new HostMatcher(inventory)
                .match(List.of(
                        MachineRequest.of("client").withNetworks("front"),
                        MachineRequest.of("proxy").withNetworks("front", "back"),
                        MachineRequest.of("server").withNetworks("back")));
        // the labels are symmetric here, so check the rule rather than one of the two valid answers
        String front = match.networks().get("front");
        String back = match.networks().get("back");
        assertThat(front).isNotEqualTo(back);
        assertThat(match.placements().get(0).nics())
                .extracting(InventoryNic::network)
                .containsExactly(front);
        assertThat(match.placements().get(1).nics())
                .extracting(InventoryNic::network)
                .containsExactly(front, back);
        assertThat(match.placements().get(2).nics())
                .extracting(InventoryNic::network)
                .containsExactly(back);
        assertThat(match.hostNames()).doesNotHaveDuplicates();
        assertThat(new HostMatcher(inventory)
                        .matchAll(
                                List.of(
                                        MachineRequest.of("client").withNetworks("front"),
                                        MachineRequest.of("proxy").withNetworks("front", "back"),
                                        MachineRequest.of("server").withNetworks("back")),
                                10))
                .extracting(Match::displayName)
                .containsExactly(
                        "client=a1, proxy=a2, server=b1", "client=a1, proxy=a2, server=b2",
                        "client=b1, proxy=a2, server=a1", "client=b2, proxy=a2, server=a1");
    }

    @Test
    void explainsForEveryMachineItsCandidatesAndTheFirstFailedRequirementOfEachRejectedHost() {
        assertThatThrownBy(() -> new HostMatcher(lab)
                        .match(List.of(
                                MachineRequest.of("web", "memory >= 4 GiB").withRoles("frontend"),
                                MachineRequest.of("db", "arch = riscv64", "memory >= 1 TiB"),
                                MachineRequest.of("cache", "gpu = yes"))))
                .isInstanceOf(NoMatchException.class)
                .hasMessage("No inventory hosts fit the requested machines (inventory lab.yaml, 3 hosts):" + NL
                        + "  web (memory >= 4 GiB; roles frontend): candidates lab-2" + NL
                        + "    lab-1: lacks role frontend (has db)" + NL
                        + "    lab-3: lacks role frontend (has db, web)" + NL
                        + "  db (arch = riscv64; memory >= 1 TiB): no candidates" + NL
                        + "    lab-1: arch x86_64 != riscv64" + NL
                        + "    lab-2: arch aarch64 != riscv64" + NL
                        + "    lab-3: arch x86_64 != riscv64" + NL
                        + "  cache (gpu = yes): no candidates" + NL
                        + "    lab-1: gpu: no such property (neither declared nor probed)" + NL
                        + "    lab-2: gpu: no such property (neither declared nor probed)" + NL
                        + "    lab-3: gpu: no such property (neither declared nor probed)" + NL
                        + "Relax the requirements, or add hosts that meet them to the inventory.");
    }

    @Test
    void explainsThatMachinesCompeteForTooFewHosts() {
        assertThatThrownBy(() -> new HostMatcher(lab)
                        .match(List.of(
                                MachineRequest.of("any"),
                                MachineRequest.of("web", "memory >= 4 GiB").withRoles("frontend"),
                                MachineRequest.of("web2", "cpus = 4"))))
                .isInstanceOf(NoMatchException.class)
                .hasMessageEndingWith("  web2 (cpus = 4): candidates lab-2" + NL
                        + "    lab-1: cpus 2 != 4" + NL
                        + "    lab-3: cpus 8 != 4" + NL
                        + "Every machine has candidates, but no assignment of distinct hosts fits them all:" + NL
                        + "  - web, web2 can only use lab-2 between them (2 machines, 1 host); each machine needs its "
                        + "own host" + NL
                        + "Relax the requirements, or add hosts that meet them to the inventory.");
    }

    @Test
    void explainsALinkNoPairOfCandidatesCanHold() {
        Inventory inventory = inventory(
                host("lab-1").roles("web").nics("seg-1"),
                host("lab-2").roles("db").nics("seg-2"),
                host("lab-3").nics("seg-3"));
        assertThatThrownBy(() -> new HostMatcher(inventory)
                        .match(List.of(
                                MachineRequest.of("web").withRoles("web").withNetworks("lan"),
                                MachineRequest.of("db").withRoles("db").withNetworks("lan"))))
                .isInstanceOf(NoMatchException.class)
                .hasMessage("No inventory hosts fit the requested machines (inventory lab.yaml, 3 hosts):" + NL
                        + "  web (roles web; networks lan): candidates lab-1" + NL
                        + "    lab-2: lacks role web (has db)" + NL
                        + "    lab-3: lacks role web (has none)" + NL
                        + "  db (roles db; networks lan): candidates lab-2" + NL
                        + "    lab-1: lacks role db (has web)" + NL
                        + "    lab-3: lacks role db (has none)" + NL
                        + "Every machine has candidates, but no assignment of distinct hosts fits them all:" + NL
                        + "  - network 'lan' links web and db, but no candidate of web shares an inventory network "
                        + "with another candidate of db (web's candidates are on seg-1; db's on seg-2)" + NL
                        + "Relax the requirements, or add hosts that meet them to the inventory.");
    }

    @Test
    void explainsLinksThatHoldPairwiseButNotTogether() {
        Inventory inventory = inventory(
                host("lab-1").nics("seg-1"),
                host("lab-2").nics("seg-1"),
                host("lab-3").nics("seg-2"),
                host("lab-4").nics("seg-2"));
        assertThatThrownBy(() -> new HostMatcher(inventory)
                        .match(List.of(
                                MachineRequest.of("a").withNetworks("lan"),
                                MachineRequest.of("b").withNetworks("lan"),
                                MachineRequest.of("c").withNetworks("lan"))))
                .isInstanceOf(NoMatchException.class)
                .hasMessageEndingWith("Every machine has candidates, but no assignment of distinct hosts fits them all:"
                        + NL + "  - each network link holds on its own (lan: a, b, c), but not all of them together "
                        + "with distinct hosts" + NL
                        + "Relax the requirements, or add hosts that meet them to the inventory.");
    }

    @Test
    void rejectsHostsWhoseNicsCannotCarryTheRequestedNetworks() {
        Inventory inventory = inventory(host("lab-1").nics("seg-1", "seg-1"), host("lab-2"));
        assertThatThrownBy(() -> new HostMatcher(inventory)
                        .match(List.of(MachineRequest.of("r").withNetworks("lan", "wan"))))
                .hasMessageContaining("    lab-1: its NICs cannot carry networks lan, wan (one inventory network per "
                        + "label; has eth1 on seg-1, eth2 on seg-1)" + NL
                        + "    lab-2: its NICs cannot carry networks lan, wan (one inventory network per label; has no "
                        + "NICs listed)" + NL);
    }

    @Test
    void enumeratesDistinctMatchesWithStableNames() {
        HostMatcher matcher = new HostMatcher(lab);
        List<MachineRequest> requests =
                List.of(MachineRequest.of("web"), MachineRequest.of("db").withRoles("db"));
        assertThat(matcher.matchAll(requests, 100))
                .extracting(Match::displayName)
                .containsExactly(
                        "web=lab-1, db=lab-3", "web=lab-2, db=lab-1", "web=lab-2, db=lab-3", "web=lab-3, db=lab-1");
        assertThat(matcher.matchAll(requests, 2))
                .extracting(Match::displayName)
                .hasSize(2)
                .doesNotHaveDuplicates();
        assertThatThrownBy(() -> matcher.matchAll(requests, 0)).hasMessage("limit must be at least 1, was 0");
    }

    @Test
    void multiMatchCountsHostAssignmentsNotLabelMappings() {
        // each host is on both segments: two label mappings per assignment, one match each
        Inventory inventory =
                inventory(host("lab-1").nics("seg-1", "seg-2"), host("lab-2").nics("seg-1", "seg-2"));
        List<Match> matches = new HostMatcher(inventory)
                .matchAll(
                        List.of(
                                MachineRequest.of("a").withNetworks("lan"),
                                MachineRequest.of("b").withNetworks("lan")),
                        10);
        assertThat(matches).extracting(Match::displayName).containsExactly("a=lab-1, b=lab-2", "a=lab-2, b=lab-1");
    }

    @Test
    void avoidsBusyHostsAndTellsWhenWaitingCannotHelp() {
        HostMatcher matcher = new HostMatcher(lab);
        List<MachineRequest> requests = List.of(MachineRequest.of("web").withRoles("web"));
        assertThat(matcher.matchAvoiding(requests, Set.of("lab-2")).map(Match::displayName))
                .contains("web=lab-3");
        assertThat(matcher.matchAvoiding(requests, Set.of("lab-2", "lab-3"))).isEmpty();
        assertThatThrownBy(() -> matcher.matchAvoiding(List.of(MachineRequest.of("x", "cpus > 64")), Set.of()))
                .isInstanceOf(NoMatchException.class)
                .hasMessageContaining("lab-3: cpus 8 <= 64");
    }

    @Test
    void rejectsEmptyAndDuplicateRequests() {
        HostMatcher matcher = new HostMatcher(lab);
        assertThatThrownBy(() -> matcher.match(List.of())).hasMessage("no machines requested; ask for at least one");
        assertThatThrownBy(() -> matcher.match(List.of(MachineRequest.of("a"), MachineRequest.of("a"))))
                .hasMessage("machine 'a' is requested twice; give each requested machine its own name");
    }
}
