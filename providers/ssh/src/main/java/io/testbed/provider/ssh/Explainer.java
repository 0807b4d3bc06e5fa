package io.testbed.provider.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes why no match exists: per requested machine its candidates and each rejected host's first failed
 * requirement; when every machine has candidates, the sets of machines that share too few hosts (each needs its
 * own) and the network links no pair of candidates can satisfy.
 */
public final class Explainer {

    /** Above this many requests the subsets of machines are not enumerated. */
    static final int MAX_SUBSET_REQUESTS = 12;

    private final String inventory;
    private final List<InventoryHost> hosts;
    private final List<MachineRequest> requests;
    private final List<List<Integer>> candidates;
    private final List<Map<Integer, String>> rejections;

    /**
     * @param inventory  the inventory's source, for the headline
     * @param rejections per request, each rejected host index and its reason
     */
    public Explainer(
            String inventory,
            List<InventoryHost> hosts,
            List<MachineRequest> requests,
            List<List<Integer>> candidates,
            List<Map<Integer, String>> rejections) {
        this.inventory = inventory;
        this.hosts = hosts;
        this.requests = requests;
        this.candidates = candidates;
        this.rejections = rejections;
    }

    /** The full explanation, one fact per line. */
    public String explain() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder("No inventory hosts fit the requested machines (inventory ")
                .append(inventory)
                .append(", ")
                .append(hosts.size())
                .append(hosts.size() == 1 ? " host):" : " hosts):");
        for (int r = 0; r < requests.size(); r++) {
            MachineRequest request = requests.get(r);
            out.append(nl)
                    .append("  ")
                    .append(request.name())
                    .append(" (")
                    .append(request.describe())
                    .append("): ")
                    .append(candidates.get(r).isEmpty() ? "no candidates" : "candidates " + names(candidates.get(r)));
            rejections
                    .get(r)
                    .forEach((host, reason) -> out.append(nl)
                            .append("    ")
                            .append(hosts.get(host).name())
                            .append(": ")
                            .append(reason));
        }
        if (candidates.stream().noneMatch(List::isEmpty)) {
            out.append(nl).append("Every machine has candidates, but no assignment of distinct hosts fits them all:");
            List<String> reasons = new ArrayList<>();
            sharedTooFew().ifPresent(reasons::add);
            reasons.addAll(brokenLinks());
            if (reasons.isEmpty()) {
                reasons.add("each network link holds on its own ("
                        + links().entrySet().stream()
                                .map(link -> link.getKey() + ": " + String.join(", ", link.getValue()))
                                .collect(Collectors.joining("; "))
                        + "), but not all of them together with distinct hosts");
            }
            reasons.forEach(reason -> out.append(nl).append("  - ").append(reason));
        }
        out.append(nl).append("Relax the requirements, or add hosts that meet them to the inventory.");
        return out.toString();
    }

    /**
     * The smallest set of requests whose candidates together are fewer hosts than requests (Hall's condition), as a
     * sentence; empty when there is none or there are too many requests to look.
     */
    public Optional<String> sharedTooFew() {
        int n = requests.size();
        if (n > MAX_SUBSET_REQUESTS) {
            return Optional.empty();
        }
        List<Integer> subsets = new ArrayList<>();
        for (int mask = 1; mask < (1 << n); mask++) {
            subsets.add(mask);
        }
        subsets.sort((a, b) -> Integer.bitCount(a) != Integer.bitCount(b)
                ? Integer.compare(Integer.bitCount(a), Integer.bitCount(b))
                : Integer.compare(a, b));
        for (int mask : subsets) {
            Set<Integer> union = new TreeSet<>();
            List<String> machines = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                if ((mask & (1 << r)) != 0) {
                    union.addAll(candidates.get(r));
                    machines.add(requests.get(r).name());
                }
            }
            if (union.size() < machines.size()) {
                return Optional.of(String.join(", ", machines) + " can only use " + names(List.copyOf(union))
                        + " between them (" + machines.size() + " machines, " + union.size()
                        + (union.size() == 1 ? " host" : " hosts") + "); each machine needs its own host");
            }
        }
        return Optional.empty();
    }

    /** Requested labels used by two or more machines, with those machines' names. */
    private Map<String, List<String>> links() {
        Map<String, List<String>> links = new LinkedHashMap<>();
        for (MachineRequest request : requests) {
            for (String label : new TreeSet<>(request.networks())) {
                links.computeIfAbsent(label, k -> new ArrayList<>()).add(request.name());
            }
        }
        links.values().removeIf(machines -> machines.size() < 2);
        return links;
    }

    private List<String> brokenLinks() {
        List<String> broken = new ArrayList<>();
        for (String label : links().keySet()) {
            List<Integer> users = new ArrayList<>();
            for (int r = 0; r < requests.size(); r++) {
                if (requests.get(r).networks().contains(label)) {
                    users.add(r);
                }
            }
            for (int i = 0; i < users.size(); i++) {
                for (int j = i + 1; j < users.size(); j++) {
                    int a = users.get(i);
                    int b = users.get(j);
                    if (!linkable(label, a, b)) {
                        broken.add("network '" + label + "' links "
                                + requests.get(a).name() + " and "
                                + requests.get(b).name() + ", but no candidate of "
                                + requests.get(a).name()
                                + " shares an inventory network with another candidate of "
                                + requests.get(b).name()
                                + " (" + requests.get(a).name() + "'s candidates are on " + networks(a) + "; "
                                + requests.get(b).name() + "'s on " + networks(b) + ")");
                    }
                }
            }
        }
        return broken;
    }

    private boolean linkable(String label, int a, int b) {
        int needA = Networks.counts(requests.get(a).networks()).get(label);
        int needB = Networks.counts(requests.get(b).networks()).get(label);
        for (int hostA : candidates.get(a)) {
            for (int hostB : candidates.get(b)) {
                if (hostA == hostB) {
                    continue;
                }
                for (String network : hosts.get(hostA).networks()) {
                    if (hosts.get(hostA).nicsOn(network) >= needA
                            && hosts.get(hostB).nicsOn(network) >= needB) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private String networks(int request) {
        Set<String> networks = new TreeSet<>();
        candidates.get(request).forEach(host -> networks.addAll(hosts.get(host).networks()));
        return networks.isEmpty() ? "no networks" : String.join(", ", networks);
    }

    private String names(List<Integer> hostIndices) {
        return hostIndices.stream().map(i -> hosts.get(i).name()).collect(Collectors.joining(", "));
    }
}
