package io.testbed.provider.ssh;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apiguardian.api.API;

/**
 * Assigns each requested machine its own inventory host so that every requirement, role and network link holds
 * (LNST's mapper, with an explanation when it fails).
 *
 * <ol>
 *   <li>Each host is checked against each request alone: roles, then requirements in order, then whether its NICs
 *       can carry the requested networks. The first failure is the host's rejection reason.</li>
 *   <li>A backtracking search then picks distinct hosts with one consistent mapping of requested network labels
 *       to inventory networks ({@link Search}). The result is deterministic for a given inventory and request
 *       list: candidates are tried in inventory order, the most constrained request first.</li>
 * </ol>
 *
 * <p>Facts are probed (through the optional {@link FactProbe}) only for hosts still in the running and only for
 * properties the inventory does not declare; a host that cannot be probed is rejected with the probe's message.
 * Instances are immutable and thread-safe; each call probes anew unless the probe caches ({@link FactCache}).
 */
@API(status = API.Status.INTERNAL)
public final class HostMatcher {

    private final Inventory inventory;
    private final FactProbe facts;

    /** A matcher over {@code inventory} that uses declared properties only. */
    public HostMatcher(Inventory inventory) {
        this(inventory, null);
    }

    /** A matcher over {@code inventory} that probes facts with {@code facts} (may be null: declared only). */
    public HostMatcher(Inventory inventory, FactProbe facts) {
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        this.facts = facts;
    }

    /** The inventory it matches against. */
    public Inventory inventory() {
        return inventory;
    }

    /**
     * The first match the search finds: the same inventory and requests always give the same match, but not
     * necessarily the one {@link #matchAll} lists first.
     *
     * @throws NoMatchException explaining, for every request, the candidates and each rejected host's reason
     * @throws IllegalArgumentException when the requests are empty or two share a name
     */
    public Match match(List<MachineRequest> requests) {
        return matchAll(requests, 1).get(0);
    }

    /**
     * The first match that uses none of the {@code busy} hosts (those leased by others), or empty when every match
     * needs one of them — then waiting for a lease may help.
     *
     * @throws NoMatchException when no match exists even with every host free: waiting cannot help
     */
    public Optional<Match> matchAvoiding(List<MachineRequest> requests, Set<String> busy) {
        Candidates all = candidates(requests);
        if (all.empty()) {
            throw new NoMatchException(explain(requests, all));
        }
        List<List<Integer>> free = new ArrayList<>();
        for (List<Integer> hosts : all.candidates()) {
            free.add(hosts.stream()
                    .filter(h -> !busy.contains(inventory.hosts().get(h).name()))
                    .toList());
        }
        List<Match> matches = search(requests, free, 1, all);
        if (matches.isEmpty() && search(requests, all.candidates(), 1, all).isEmpty()) {
            throw new NoMatchException(explain(requests, all));
        }
        return matches.stream().findFirst();
    }

    /**
     * Up to {@code limit} distinct matches (LNST's multi-match): distinct by which host each machine gets, ordered by
     * the hosts' inventory positions in request order, each with a stable {@link Match#displayName()}.
     *
     * @throws NoMatchException when there is none, explained as by {@link #match}
     */
    public List<Match> matchAll(List<MachineRequest> requests, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        Candidates candidates = candidates(requests);
        List<Match> matches =
                candidates.empty() ? List.of() : search(requests, candidates.candidates(), limit, candidates);
        if (matches.isEmpty()) {
            throw new NoMatchException(explain(requests, candidates));
        }
        return matches;
    }

    private List<Match> search(
            List<MachineRequest> requests, List<List<Integer>> among, int limit, Candidates candidates) {
        Explainer hall = new Explainer(inventory.source(), inventory.hosts(), requests, among, List.of());
        if (hall.sharedTooFew().isPresent()) {
            return List.of(); // some machines share fewer hosts than they are: no need to search
        }
        try {
            return new Search(inventory.hosts(), requests, among).run(limit);
        } catch (Search.GaveUp e) {
            throw new NoMatchException(e.getMessage() + "." + System.lineSeparator() + explain(requests, candidates));
        }
    }

    private String explain(List<MachineRequest> requests, Candidates candidates) {
        return new Explainer(
                        inventory.source(),
                        inventory.hosts(),
                        requests,
                        candidates.candidates(),
                        candidates.rejections())
                .explain();
    }

    /** Per request: the hosts that fit it alone (indices, ascending) and each other host's reason. */
    private record Candidates(List<List<Integer>> candidates, List<Map<Integer, String>> rejections) {
        boolean empty() {
            return candidates.stream().anyMatch(List::isEmpty);
        }
    }

    private Candidates candidates(List<MachineRequest> requests) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no machines requested; ask for at least one");
        }
        Set<String> names = new HashSet<>();
        for (MachineRequest request : requests) {
            if (!names.add(request.name())) {
                throw new IllegalArgumentException("machine '" + request.name() + "' is requested twice; give each "
                        + "requested machine its own name");
            }
        }
        List<HostAttributes> attributes = inventory.hosts().stream()
                .map(h -> new HostAttributes(h, facts))
                .toList();
        List<List<Integer>> candidates = new ArrayList<>();
        List<Map<Integer, String>> rejections = new ArrayList<>();
        for (MachineRequest request : requests) {
            List<Integer> fit = new ArrayList<>();
            Map<Integer, String> rejected = new LinkedHashMap<>();
            for (int h = 0; h < inventory.hosts().size(); h++) {
                Optional<String> reason = rejection(inventory.hosts().get(h), attributes.get(h), request);
                if (reason.isPresent()) {
                    rejected.put(h, reason.get());
                } else {
                    fit.add(h);
                }
            }
            candidates.add(fit);
            rejections.add(rejected);
        }
        return new Candidates(candidates, rejections);
    }

    private static Optional<String> rejection(InventoryHost host, HostAttributes attributes, MachineRequest request) {
        Set<String> missing = new TreeSet<>(request.roles());
        missing.removeAll(host.roles());
        if (!missing.isEmpty()) {
            return Optional.of("lacks role" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing)
                    + " (has " + (host.roles().isEmpty() ? "none" : String.join(", ", new TreeSet<>(host.roles())))
                    + ")");
        }
        for (Requirement requirement : request.requirements()) {
            try {
                Optional<String> failure = requirement.check(attributes);
                if (failure.isPresent()) {
                    return failure;
                }
            } catch (HostAttributes.FactsUnavailable e) {
                return Optional.of(requirement.property() + ": facts could not be probed: " + e.getMessage());
            }
        }
        if (!request.networks().isEmpty()
                && Networks.extensions(host, Networks.counts(request.networks()), Map.of(), Set.of(), true)
                        .isEmpty()) {
            return Optional.of("its NICs cannot carry networks " + String.join(", ", request.networks())
                    + " (one inventory network per label; has "
                    + (host.nics().isEmpty()
                            ? "no NICs listed"
                            : host.nics().stream()
                                    .map(n -> n.name() + " on " + n.network())
                                    .toList()
                                    .toString()
                                    .replaceAll("[\\[\\]]", ""))
                    + ")");
        }
        return Optional.empty();
    }
}
