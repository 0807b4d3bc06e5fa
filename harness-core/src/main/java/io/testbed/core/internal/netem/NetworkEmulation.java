package io.testbed.core.internal.netem;

import io.testbed.core.LinkConstraint;
import io.testbed.core.LinkValidation;
import io.testbed.core.Links;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.LinkEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * The links of one live environment ({@link Links}): the declared (baseline) constraints, the run-time ones and the
 * cuts, and what is applied where — the host's nftables table ({@link HostRules}) and each sender's traffic control
 * ({@link Shaping}). Every change computes the whole wanted state and applies only what differs, so resetting after a
 * test that changed nothing costs nothing. Snapshots remember the state; a revert brings it back, re-applying what
 * the revert did not restore (a recreated container's empty network namespace, the host's table). Thread-safe.
 */
@API(status = API.Status.INTERNAL)
public final class NetworkEmulation implements Links {

    private final List<Node> nodes;
    private final Function<String, List<String>> groups;
    private final Set<String> networks;
    private final List<LinkConstraint> baseline;
    private final HostRules hostRules;
    private final Journal journal;
    private final Consumer<List<Runnable>> parallel;
    private final LinkValidator validator;

    private final List<LinkConstraint> runtime = new ArrayList<>();
    private final List<CutRule> cuts = new ArrayList<>();
    private final Map<String, Saved> snapshots = new HashMap<>();
    /** The script each (machine, network) last ran, by {@link #key}; absent: no tree of ours there. */
    private final Map<String, String> appliedShaping = new HashMap<>();
    /** The host table as last applied; empty: no table. */
    private Optional<String> appliedHost = Optional.empty();

    private int nextCut = 1;

    /** The state a snapshot remembers. */
    private record Saved(List<LinkConstraint> runtime, List<CutRule> cuts, Map<String, String> shaping) {}

    /**
     * @param parallel runs tasks in parallel and rethrows the first failure once all are done
     * @param logsDir  where validation tables are written
     */
    public NetworkEmulation(
            List<Node> nodes,
            Function<String, List<String>> groups,
            Set<String> networks,
            List<LinkConstraint> baseline,
            HostRules hostRules,
            Journal journal,
            Consumer<List<Runnable>> parallel,
            java.nio.file.Path logsDir) {
        this.nodes = List.copyOf(nodes);
        this.groups = groups;
        this.networks = Set.copyOf(networks);
        this.baseline = List.copyOf(baseline);
        this.hostRules = hostRules;
        this.journal = journal;
        this.parallel = parallel;
        this.validator = new LinkValidator(this.nodes, journal, logsDir);
    }

    /** Applies the declared constraints (provisioning, before the baseline snapshot). */
    public synchronized void applyBaseline() {
        apply("baseline", !baseline.isEmpty());
    }

    /** Back to the declared constraints without cuts (after each test, like settings). */
    public synchronized void reset() {
        runtime.clear();
        cuts.clear();
        apply("reset after the test", false);
    }

    /** Remembers the links as they are under snapshot {@code name}. */
    public synchronized void snapshotTaken(String name) {
        snapshots.put(name, new Saved(List.copyOf(runtime), List.copyOf(cuts), Map.copyOf(appliedShaping)));
    }

    /** The machines are back at snapshot {@code name}: brings the links back to it too. */
    public synchronized void reverted(String name) {
        Saved saved = snapshots.get(name);
        if (saved == null) {
            return; // a snapshot taken before the links existed: nothing to restore
        }
        runtime.clear();
        runtime.addAll(saved.runtime());
        cuts.clear();
        cuts.addAll(saved.cuts());
        for (Node node : nodes) {
            for (String network : node.addresses().keySet()) {
                String key = key(node, network);
                switch (node.restore()) {
                    case WITH_SNAPSHOT -> {
                        String script = saved.shaping().get(key);
                        if (script == null) {
                            appliedShaping.remove(key);
                        } else {
                            appliedShaping.put(key, script);
                        }
                    }
                    case EMPTY -> appliedShaping.remove(key);
                    case UNCHANGED -> {
                        // the revert did not touch it: what is applied stays applied
                    }
                }
            }
        }
        apply("revert to " + name, false);
    }

    /** Removes Testbed's host table, if it made one (teardown). */
    public synchronized void close() {
        if (appliedHost.isPresent()) {
            hostRules.remove();
            appliedHost = Optional.empty();
            journal.record((time, env) ->
                    new LinkEvent.HostRulesRemoved(time, env, "nftables table bridge " + hostRules.table()));
        }
    }

    @Override
    public synchronized void constrain(LinkConstraint constraint) {
        List<LinkChecks.Problem> problems =
                LinkChecks.check(List.of(constraint), nodes, groups, networks, HostKernel.hasNetem());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream()
                    .map(p -> "link " + LinkTable.describe(constraint) + ": " + p.attribute() + " " + p.rule())
                    .collect(Collectors.joining("; ")));
        }
        runtime.add(constraint);
        apply("run time", false);
    }

    @Override
    public synchronized Cut partition(String a, String b) {
        List<String> left = resolve(a);
        List<String> right = resolve(b);
        return cut(Cut.Kind.PARTITION, a + " | " + b, List.of(new CutRule.Sides(left, right)), "");
    }

    @Override
    public synchronized Cut isolate(String machine) {
        node(machine);
        return cut(
                Cut.Kind.ISOLATE,
                machine + " | everyone",
                List.of(new CutRule.Sides(List.of(machine), others(machine))),
                "");
    }

    @Override
    public synchronized Cut splitHalves() {
        List<String> names = names();
        if (names.size() < 2) {
            throw new IllegalArgumentException(
                    "splitHalves() needs at least two machines, the environment has " + names.size());
        }
        List<String> left = names.subList(0, names.size() / 2);
        List<String> right = names.subList(names.size() / 2, names.size());
        return cut(Cut.Kind.SPLIT_HALVES, left + " | " + right, List.of(new CutRule.Sides(left, right)), "");
    }

    @Override
    public synchronized Cut bridge() {
        List<String> names = names();
        if (names.size() < 3) {
            throw new IllegalArgumentException("bridge() needs at least three machines (two halves and the bridge "
                    + "between them), the environment has " + names.size());
        }
        int middle = (names.size() - 1) / 2;
        List<String> left = names.subList(0, middle);
        List<String> right = names.subList(middle + 1, names.size());
        return cut(
                Cut.Kind.BRIDGE,
                left + " | " + right + " bridged by " + names.get(middle),
                List.of(new CutRule.Sides(left, right)),
                "");
    }

    @Override
    public synchronized Cut linkDown(String machine, String network) {
        Node node = node(machine);
        if (!node.addresses().containsKey(network)) {
            throw new IllegalArgumentException("Machine '" + machine + "' is not on network '" + network
                    + "'; its networks: " + node.addresses().keySet());
        }
        return cut(
                Cut.Kind.LINK_DOWN,
                machine + " on " + network,
                List.of(new CutRule.Sides(List.of(machine), others(machine))),
                network);
    }

    @Override
    public synchronized void linkUp(String machine, String network) {
        String description = machine + " on " + network;
        List<CutRule> down = cuts.stream()
                .filter(c -> c.cut().kind() == Cut.Kind.LINK_DOWN
                        && c.cut().description().equals(description))
                .toList();
        down.forEach(c -> heal(c.cut()));
    }

    @Override
    public synchronized void heal(Cut cut) {
        Instant start = journal.now();
        if (cuts.removeIf(c -> c.cut().equals(cut))) {
            apply(null, false);
            journal.record((time, env) ->
                    new LinkEvent.CutHealed(time, env, cut.id(), cut.description(), Duration.between(start, time)));
        }
    }

    @Override
    public synchronized void healAll() {
        List<CutRule> healed = List.copyOf(cuts);
        Instant start = journal.now();
        cuts.clear();
        apply(null, false);
        for (CutRule rule : healed) {
            journal.record((time, env) -> new LinkEvent.CutHealed(
                    time, env, rule.cut().id(), rule.cut().description(), Duration.between(start, time)));
        }
    }

    @Override
    public synchronized List<Cut> cuts() {
        return cuts.stream().map(CutRule::cut).toList();
    }

    @Override
    public synchronized List<LinkConstraint> constraints() {
        List<LinkConstraint> all = new ArrayList<>(baseline);
        all.addAll(runtime);
        return List.copyOf(all);
    }

    @Override
    public LinkValidation validate(int probes) {
        if (probes < 10) {
            throw new IllegalArgumentException("validate(probes) needs at least 10 probes per pair, was " + probes);
        }
        Map<LinkTable.Direction, LinkTable.Shape> table;
        synchronized (this) {
            table = LinkTable.resolve(constraints(), nodes, groups);
        }
        return validator.validate(table, probes);
    }

    private Cut cut(Cut.Kind kind, String description, List<CutRule.Sides> sides, String network) {
        Instant start = journal.now();
        Cut cut = new Cut(nextCut++, kind, description);
        cuts.add(new CutRule(cut, sides, network));
        apply(null, false);
        journal.record((time, env) ->
                new LinkEvent.CutMade(time, env, cut.id(), kind.name(), description, Duration.between(start, time)));
        return cut;
    }

    /**
     * Brings the host table and every sender's traffic control to the wanted state, running only what differs;
     * journals a {@link LinkEvent.ConstraintsApplied} when {@code why} is given and something changed (or always for
     * the baseline).
     */
    private void apply(String why, boolean always) {
        Instant start = journal.now();
        List<LinkConstraint> all = constraints();
        Map<LinkTable.Direction, LinkTable.Shape> table = LinkTable.resolve(all, nodes, groups);
        boolean changed = false;
        Optional<String> host = hostRules.render(table, cuts, nodes);
        if (!host.equals(appliedHost)) {
            if (host.isPresent()) {
                hostRules.apply(host.get());
            } else {
                hostRules.remove();
            }
            appliedHost = host;
            changed = true;
        }
        Map<String, Runnable> tasks = new LinkedHashMap<>();
        Map<String, String> wanted = new HashMap<>();
        for (Node node : nodes) {
            for (var entry : node.addresses().entrySet()) {
                String network = entry.getKey();
                List<Shaping.Target> targets = new ArrayList<>();
                table.forEach((direction, shape) -> {
                    if (direction.from().equals(node.name())
                            && direction.network().equals(network)
                            && shape.shapes()) {
                        targets.add(new Shaping.Target(
                                node(direction.to()).addresses().get(network), shape));
                    }
                });
                String key = key(node, network);
                String applied = appliedShaping.get(key);
                if (targets.isEmpty()) {
                    if (applied != null) {
                        tasks.put(key, () -> Shaping.run(node.machine(), Shaping.clearScript(entry.getValue())));
                    }
                    continue;
                }
                String script = Shaping.script(entry.getValue(), targets);
                wanted.put(key, script);
                if (!script.equals(applied)) {
                    tasks.put(key, () -> Shaping.run(node.machine(), script));
                }
            }
        }
        if (!tasks.isEmpty()) {
            try {
                parallel.accept(List.copyOf(tasks.values()));
            } finally {
                // what failed is unknown: forget it, so that the next apply runs it again
                tasks.keySet().forEach(appliedShaping::remove);
            }
            tasks.keySet().forEach(key -> {
                if (wanted.containsKey(key)) {
                    appliedShaping.put(key, wanted.get(key));
                }
            });
            changed = true;
        }
        if (why != null && (changed || always)) {
            List<String> described = all.stream().map(LinkTable::describe).toList();
            int directions = table.size();
            journal.record((time, env) -> new LinkEvent.ConstraintsApplied(
                    time, env, why, described, directions, Duration.between(start, time)));
        }
    }

    private List<String> resolve(String group) {
        List<String> machines = groups.apply(group);
        if (machines.isEmpty()) {
            throw new IllegalArgumentException("Group '" + group + "' is no machine and no role; machines: " + names());
        }
        return machines;
    }

    private Node node(String machine) {
        return nodes.stream()
                .filter(n -> n.name().equals(machine))
                .findFirst()
                .orElseThrow(() ->
                        new IllegalArgumentException("There is no machine '" + machine + "'; machines: " + names()));
    }

    private List<String> names() {
        return nodes.stream().map(Node::name).toList();
    }

    private List<String> others(String machine) {
        return names().stream().filter(n -> !n.equals(machine)).toList();
    }

    private static String key(Node node, String network) {
        return node.name() + "/" + network;
    }
}
