package io.testbed.provider.ssh;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Network label links (LNST's {@code DeviceReq} labels): a mapping from requested labels to inventory network
 * labels that is one-to-one and shared by every machine of a match. Static helpers, no state.
 */
public final class Networks {

    /** The one way to carry no labels: map nothing. */
    private static final List<Map<String, String>> NO_LABELS = List.of(Map.of());

    private Networks() {}

    /** How many NICs a request needs per requested label, labels sorted. */
    public static Map<String, Integer> counts(List<String> requested) {
        Map<String, Integer> counts = new TreeMap<>();
        requested.forEach(label -> counts.merge(label, 1, Integer::sum));
        return counts;
    }

    /**
     * The ways {@code host} can carry the requested labels given the labels mapped so far: each a map of the labels
     * newly mapped (empty when all were mapped already), in sorted order of inventory labels.
     *
     * @param counts    NICs needed per requested label
     * @param mapped    requested label → inventory label, so far
     * @param taken     inventory labels already mapped to some requested label
     * @param firstOnly stop after the first way (a viability test)
     */
    public static List<Map<String, String>> extensions(
            InventoryHost host,
            Map<String, Integer> counts,
            Map<String, String> mapped,
            Set<String> taken,
            boolean firstOnly) {
        return extensions(HostNics.of(host), counts, mapped, taken, firstOnly);
    }

    /** A host's NIC counts per network, computed once for the many checks of a search. */
    public record HostNics(List<String> networks, Map<String, Integer> counts) {
        public HostNics {
            networks = List.copyOf(networks);
            counts = Map.copyOf(counts);
        }

        /** The NICs of {@code host}, networks sorted. */
        public static HostNics of(InventoryHost host) {
            Map<String, Integer> counts = new TreeMap<>();
            host.nics().forEach(nic -> counts.merge(nic.network(), 1, Integer::sum));
            return new HostNics(List.copyOf(counts.keySet()), counts);
        }

        /** How many NICs are on {@code network}. */
        public int on(String network) {
            return counts.getOrDefault(network, 0);
        }
    }

    /** As {@link #extensions(InventoryHost, Map, Map, Set, boolean)} for precomputed NICs. */
    public static List<Map<String, String>> extensions(
            HostNics host,
            Map<String, Integer> counts,
            Map<String, String> mapped,
            Set<String> taken,
            boolean firstOnly) {
        if (counts.isEmpty()) {
            return NO_LABELS;
        }
        List<String> unmapped = new ArrayList<>();
        for (Map.Entry<String, Integer> need : counts.entrySet()) {
            String target = mapped.get(need.getKey());
            if (target == null) {
                unmapped.add(need.getKey());
            } else if (host.on(target) < need.getValue()) {
                return List.of();
            }
        }
        List<Map<String, String>> ways = new ArrayList<>();
        extend(host, counts, unmapped, 0, new LinkedHashMap<>(), taken, firstOnly, ways);
        return ways;
    }

    private static boolean extend(
            HostNics host,
            Map<String, Integer> counts,
            List<String> unmapped,
            int index,
            Map<String, String> chosen,
            Set<String> taken,
            boolean firstOnly,
            List<Map<String, String>> ways) {
        if (index == unmapped.size()) {
            ways.add(Map.copyOf(chosen));
            return firstOnly;
        }
        String label = unmapped.get(index);
        for (String network : host.networks()) {
            if (taken.contains(network) || chosen.containsValue(network) || host.on(network) < counts.get(label)) {
                continue;
            }
            chosen.put(label, network);
            if (extend(host, counts, unmapped, index + 1, chosen, taken, firstOnly, ways)) {
                return true;
            }
            chosen.remove(label);
        }
        return false;
    }

    /** The host NICs that serve {@code requested} (in its order) under {@code mapping}: the first unused each time. */
    public static List<InventoryNic> nics(InventoryHost host, List<String> requested, Map<String, String> mapping) {
        Map<String, Integer> used = new HashMap<>();
        List<InventoryNic> result = new ArrayList<>();
        for (String label : requested) {
            String network = mapping.get(label);
            int skip = used.merge(network, 1, Integer::sum) - 1;
            result.add(host.nics().stream()
                    .filter(nic -> nic.network().equals(network))
                    .skip(skip)
                    .findFirst()
                    .orElseThrow());
        }
        return result;
    }
}
