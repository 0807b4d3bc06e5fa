package io.testbed.core.internal.netem;

import io.testbed.core.LinkConstraint;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * Which ordered pairs of machines a list of constraints shapes, on which network, and how: every pair of distinct
 * machines from the constraint's groups that shares the network, both ways when symmetric, except the excepted
 * pairs; a later constraint replaces an earlier one for the directions it covers.
 */
@API(status = API.Status.INTERNAL)
public final class LinkTable {

    /** Traffic from machine {@code from} to machine {@code to} on {@code network}. */
    public record Direction(String from, String to, String network) {
        @Override
        public String toString() {
            return from + " -> " + to + " on " + network;
        }
    }

    /** What one direction gets. */
    public record Shape(Duration delay, Duration jitter, double lossPercent, long rateBits) {
        /** Whether the sender's traffic control has work (delay or rate). */
        public boolean shapes() {
            return !delay.isZero() || rateBits > 0;
        }
    }

    private LinkTable() {}

    /**
     * The shaped directions, in the order the machines are listed.
     *
     * @param groups the machine names a group (machine name, role, role expression) selects
     * @throws IllegalArgumentException when a group or network names nothing
     */
    public static Map<Direction, Shape> resolve(
            List<LinkConstraint> constraints, List<Node> nodes, Function<String, List<String>> groups) {
        Map<Direction, Shape> table = new LinkedHashMap<>();
        for (LinkConstraint constraint : constraints) {
            List<String> from = groups.apply(constraint.from());
            List<String> to = groups.apply(constraint.to());
            Shape shape = new Shape(
                    constraint.delay(), constraint.jitter(), constraint.lossPercent(), constraint.rateBitsPerSecond());
            for (Node a : nodes) {
                for (Node b : nodes) {
                    if (a == b || constraint.excepts(a.name(), b.name())) {
                        continue;
                    }
                    boolean forward = from.contains(a.name()) && to.contains(b.name());
                    boolean backward = constraint.symmetric() && to.contains(a.name()) && from.contains(b.name());
                    if (!forward && !backward) {
                        continue;
                    }
                    for (String network : a.addresses().keySet()) {
                        boolean onNetwork = constraint.network().isEmpty()
                                || constraint.network().equals(network);
                        if (onNetwork && b.addresses().containsKey(network)) {
                            Direction direction = new Direction(a.name(), b.name(), network);
                            table.remove(direction); // a later constraint also moves to the end
                            table.put(direction, shape);
                        }
                    }
                }
            }
        }
        return table;
    }

    /** {@code from -> to: delay=20ms loss=1%} for journals. */
    public static String describe(LinkConstraint constraint) {
        return constraint.from() + (constraint.symmetric() ? " <-> " : " -> ") + constraint.to()
                + (constraint.network().isEmpty() ? "" : " on " + constraint.network()) + ": "
                + constraint.describe()
                + (constraint.except().isEmpty() ? "" : " except " + constraint.except());
    }
}
