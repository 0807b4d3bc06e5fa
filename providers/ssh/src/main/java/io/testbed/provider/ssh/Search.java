package io.testbed.provider.ssh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backtracking search of LNST's mapper, with the most constrained request first (fewest viable hosts left,
 * then most network labels, then request order) and forward checking: after each choice every open request must
 * still have a free host that fits the labels mapped so far. Candidates are tried in inventory order and label
 * mappings in sorted order, so the result is deterministic. One instance per search; not thread-safe.
 */
public final class Search {

    /** Steps after which the search gives up rather than run for minutes on a hopelessly ambiguous request. */
    static final long MAX_STEPS = 50_000;

    private final List<InventoryHost> hosts;
    private final List<MachineRequest> requests;
    private final List<List<Integer>> candidates;
    private final List<Networks.HostNics> nics;
    private final List<Map<String, Integer>> counts = new ArrayList<>();
    private final int[] assigned;
    private final boolean[] used;
    private final Map<String, String> mapping = new LinkedHashMap<>();
    private final Set<String> taken = new HashSet<>();
    private final Map<String, Match> found = new LinkedHashMap<>();
    private int limit;
    private long steps;

    /**
     * A search over {@code hosts} for {@code requests}, where {@code candidates.get(i)} lists the indices (into
     * {@code hosts}, ascending) of the hosts that meet request i on their own.
     */
    public Search(List<InventoryHost> hosts, List<MachineRequest> requests, List<List<Integer>> candidates) {
        this.hosts = hosts;
        this.requests = requests;
        this.candidates = candidates;
        this.nics = hosts.stream().map(Networks.HostNics::of).toList();
        requests.forEach(request -> counts.add(Networks.counts(request.networks())));
        this.assigned = new int[requests.size()];
        this.used = new boolean[hosts.size()];
        java.util.Arrays.fill(assigned, -1);
    }

    /**
     * Up to {@code limit} distinct matches (distinct by which host each machine gets), ordered by the hosts' inventory
     * positions in request order.
     *
     * @throws GaveUp when the search gives up after {@value #MAX_STEPS} steps
     */
    public List<Match> run(int limit) {
        this.limit = limit;
        step(0);
        List<Match> matches = new ArrayList<>(found.values());
        matches.sort(Comparator.comparing(this::positions, Search::compareLexicographically));
        return matches;
    }

    /** The search took {@value #MAX_STEPS} steps without an answer. */
    public static final class GaveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GaveUp() {
            super(
                    "Matching gave up after " + MAX_STEPS + " steps without finding an assignment: the requests leave "
                            + "many hosts that almost fit; add requirements or roles that narrow the candidates",
                    null,
                    false,
                    false);
        }
    }

    private boolean step(int depth) {
        if (++steps > MAX_STEPS) {
            throw new GaveUp();
        }
        if (depth == requests.size()) {
            record();
            return found.size() >= limit;
        }
        int best = -1;
        List<Integer> bestViable = null;
        Map<Integer, List<Integer>> viableByRequest = new LinkedHashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            if (assigned[r] >= 0) {
                continue;
            }
            List<Integer> viable = viable(r);
            viableByRequest.put(r, viable);
            if (viable.isEmpty()) {
                return false; // forward check: an open request has nothing left
            }
            if (bestViable == null
                    || viable.size() < bestViable.size()
                    || (viable.size() == bestViable.size()
                            && counts.get(r).size() > counts.get(best).size())) {
                best = r;
                bestViable = viable;
            }
        }
        if (!enoughHosts(viableByRequest)) {
            return false;
        }
        for (int host : bestViable) {
            for (Map<String, String> extension :
                    Networks.extensions(nics.get(host), counts.get(best), mapping, taken, false)) {
                assigned[best] = host;
                used[host] = true;
                mapping.putAll(extension);
                taken.addAll(extension.values());
                boolean done = step(depth + 1);
                extension.keySet().forEach(mapping::remove);
                taken.removeAll(extension.values());
                used[host] = false;
                assigned[best] = -1;
                if (done) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Hall's condition on the groups that matter most: all open requests together, and the open requests of each
     * network label, need at least as many distinct viable hosts as they are many. Cuts the symmetric permutations
     * of interchangeable hosts that plain forward checking would try one by one.
     */
    private boolean enoughHosts(Map<Integer, List<Integer>> viableByRequest) {
        Map<String, Set<Integer>> unionByLabel = new LinkedHashMap<>();
        Map<String, Integer> openByLabel = new LinkedHashMap<>();
        Set<Integer> all = new HashSet<>();
        viableByRequest.forEach((request, viable) -> {
            all.addAll(viable);
            for (String label : counts.get(request).keySet()) {
                unionByLabel.computeIfAbsent(label, k -> new HashSet<>()).addAll(viable);
                openByLabel.merge(label, 1, Integer::sum);
            }
        });
        if (all.size() < viableByRequest.size()) {
            return false;
        }
        for (Map.Entry<String, Integer> open : openByLabel.entrySet()) {
            String label = open.getKey();
            Set<Integer> union = unionByLabel.get(label);
            if (union.size() < open.getValue()) {
                return false;
            }
            if (!mapping.containsKey(label) && !someNetworkHolds(union, open.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Whether some free inventory network has a NIC on at least {@code needed} of {@code hosts}. */
    private boolean someNetworkHolds(Set<Integer> hosts, int needed) {
        Map<String, Integer> hostsOn = new HashMap<>();
        for (int host : hosts) {
            for (String network : nics.get(host).networks()) {
                if (!taken.contains(network) && hostsOn.merge(network, 1, Integer::sum) >= needed) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Integer> viable(int request) {
        List<Integer> viable = new ArrayList<>();
        for (int host : candidates.get(request)) {
            if (!used[host]
                    && !Networks.extensions(nics.get(host), counts.get(request), mapping, taken, true)
                            .isEmpty()) {
                viable.add(host);
            }
        }
        return viable;
    }

    private void record() {
        List<Match.Placement> placements = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            InventoryHost host = hosts.get(assigned[r]);
            MachineRequest request = requests.get(r);
            placements.add(new Match.Placement(request.name(), host, Networks.nics(host, request.networks(), mapping)));
        }
        Map<String, String> networks = new LinkedHashMap<>();
        requests.forEach(request -> request.networks().forEach(label -> networks.put(label, mapping.get(label))));
        Match match = new Match(placements, networks);
        found.putIfAbsent(match.displayName(), match);
    }

    private List<Integer> positions(Match match) {
        List<Integer> positions = new ArrayList<>();
        match.placements().forEach(p -> positions.add(hosts.indexOf(p.host())));
        return positions;
    }

    private static int compareLexicographically(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
