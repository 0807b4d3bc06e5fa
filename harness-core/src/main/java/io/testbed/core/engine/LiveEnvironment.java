package io.testbed.core.engine;

import io.testbed.core.Environment;
import io.testbed.core.Links;
import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.netem.NetworkEmulation;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.ProviderSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A provisioned environment as tests see it; its owner holds the {@link EnvironmentHandle}. Thread-safe. */
final class LiveEnvironment implements Environment {

    private final EnvironmentSpec spec;
    private final Prefix prefix;
    private final Journal journal;
    private final Resources resources;
    private final Map<String, ProviderSession> sessions;
    private final Leasing leasing;
    private final Owners owners;
    private final Owner owner;
    private final ExecutorService pool;
    private final NetworkEmulation links;
    private final List<String> snapshots = new ArrayList<>(List.of(BASELINE));
    private boolean closed;

    LiveEnvironment(
            EnvironmentSpec spec,
            Prefix prefix,
            Journal journal,
            Resources resources,
            Map<String, ProviderSession> sessions,
            Leasing leasing,
            Owners owners,
            Owner owner,
            ExecutorService pool,
            NetworkEmulation links) {
        this.spec = spec;
        this.prefix = prefix;
        this.journal = journal;
        this.resources = resources;
        this.sessions = sessions;
        this.leasing = leasing;
        this.owners = owners;
        this.owner = owner;
        this.pool = pool;
        this.links = links;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public Path prefixDir() {
        return prefix.dir();
    }

    /** The environment's journal; its owner reaches it through {@link EnvironmentHandle#journal()}. */
    Journal journal() {
        return journal;
    }

    @Override
    public List<Machine> machines() {
        return resources.machines().stream()
                .map(Resources.MachineEntry::machine)
                .toList();
    }

    @Override
    public List<Machine> machines(String roleExpression) {
        return RoleExpression.select(roleExpression, machines());
    }

    @Override
    public Machine machine(String name) {
        return entry(name).machine();
    }

    @Override
    public TestNetwork network(String name) {
        return networks().stream()
                .filter(n -> n.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "Environment '" + spec.name() + "' has no network '" + name + "'; networks: "
                                + networks().stream().map(TestNetwork::name).toList()));
    }

    @Override
    public List<TestNetwork> networks() {
        return resources.networks().stream().map(n -> n.resource().network()).toList();
    }

    @Override
    public void snapshot(String name) {
        checkOpen();
        forEachSnapshotting(
                "snapshot.create",
                entry -> entry.resource().snapshot(name),
                (machine, took) -> (time, env) -> new ResourceEvent.SnapshotTaken(time, env, machine, name, took));
        synchronized (this) {
            if (!snapshots.contains(name)) {
                snapshots.add(name);
            }
        }
        links.snapshotTaken(name);
    }

    @Override
    public void revert(String name) {
        checkOpen();
        synchronized (this) {
            if (!snapshots.contains(name)) {
                throw new IllegalArgumentException(
                        "Environment '" + spec.name() + "' has no snapshot '" + name + "'; snapshots: " + snapshots);
            }
        }
        forEachSnapshotting(
                "snapshot.revert",
                entry -> {
                    if (entry.lifecycle().state() == ResourceState.PAUSED) {
                        // a snapshot holds a running machine; resume first so the machine answers after the revert
                        entry.resource().resume();
                        entry.lifecycle().moveTo(ResourceState.RUNNING);
                    }
                    InjectedFaults.check(entry.plan().name(), "snapshot.revert");
                    entry.resource().revert(name);
                },
                (machine, took) -> (time, env) -> new ResourceEvent.Reverted(time, env, machine, name, took));
        links.reverted(name);
    }

    @Override
    public void deleteSnapshot(String name) {
        checkOpen();
        synchronized (this) {
            if (name.equals(BASELINE)) {
                throw new IllegalArgumentException("The " + BASELINE + " snapshot of environment '" + spec.name()
                        + "' cannot be deleted: the harness reverts to it between tests");
            }
            if (!snapshots.contains(name)) {
                throw new IllegalArgumentException(
                        "Environment '" + spec.name() + "' has no snapshot '" + name + "'; snapshots: " + snapshots);
            }
            snapshots.remove(name);
        }
        forEachSnapshotting(
                "snapshot.delete",
                entry -> entry.resource().deleteSnapshot(name),
                (machine, took) -> (time, env) -> new ResourceEvent.SnapshotDeleted(time, env, machine, name, took));
    }

    @Override
    public void pause(String machine) {
        checkOpen();
        Resources.MachineEntry entry = entry(machine);
        if (!entry.pauses()) {
            throw new UnsupportedOperationException("Machine " + Problems.quote(machine) + " cannot be paused: its "
                    + "provider " + Problems.quote(entry.plan().spec().provider())
                    + " has no pause (capability PAUSE)");
        }
        journal.runStep(
                entry.lifecycle().resource(),
                "machine.pause",
                () -> {
                    entry.resource().pause();
                    entry.lifecycle().moveTo(ResourceState.PAUSED);
                },
                (time, env, none, took) -> new ResourceEvent.MachinePaused(time, env, machine, took));
    }

    @Override
    public void resume(String machine) {
        checkOpen();
        Resources.MachineEntry entry = entry(machine);
        journal.runStep(
                entry.lifecycle().resource(),
                "machine.resume",
                () -> {
                    entry.resource().resume();
                    entry.lifecycle().moveTo(ResourceState.RUNNING);
                },
                (time, env, none, took) -> new ResourceEvent.MachineResumed(time, env, machine, took));
    }

    @Override
    public Links links() {
        checkOpen();
        return links;
    }

    /** Back to the declared links, without cuts; called by {@link EnvironmentHandle#resetMachines()}. */
    void resetLinks() {
        checkOpen();
        links.reset();
    }

    private Resources.MachineEntry entry(String name) {
        return resources.machines().stream()
                .filter(e -> e.plan().name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "Environment '" + spec.name() + "' has no machine '" + name + "'; machines: "
                                + machines().stream().map(Machine::name).toList()));
    }

    /** The event that ends one machine's snapshot step, from the machine's name and the step's duration. */
    private interface SnapshotDone {
        Event.Factory of(String machine, Duration took);
    }

    private void forEachSnapshotting(
            String phase, java.util.function.Consumer<Resources.MachineEntry> action, SnapshotDone done) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (Resources.MachineEntry entry : resources.machines()) {
            if (!entry.snapshots()) {
                continue; // machines that cannot snapshot (existing SSH hosts) keep their state
            }
            tasks.add(() -> {
                journal.runStep(
                        entry.lifecycle().resource(),
                        phase,
                        () -> action.accept(entry),
                        (time, env, none, took) ->
                                done.of(entry.plan().name(), took).at(time, env));
                return null;
            });
        }
        Provisioning.runAll(tasks, pool);
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Environment '" + spec.name() + "' is already torn down");
        }
    }

    /** Tears everything down and releases the leases; idempotent. Called by {@link EnvironmentHandle#close()}. */
    void tearDown() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Instant start = journal.now();
        journal.record(EnvironmentEvent.TeardownStarted::new);
        List<Throwable> problems = new ArrayList<>();
        try {
            links.close(); // the host's rules first: they name the machines' addresses
        } catch (RuntimeException e) {
            problems.add(e);
        }
        problems.addAll(Teardown.destroy(resources, sessions, leasing, journal, () -> owners.unregister(owner), pool));
        pool.shutdownNow();
        journal.record((time, env) -> new EnvironmentEvent.Closed(
                time, env, EnvironmentEvent.Outcome.TORN_DOWN, Duration.between(start, time), problems.size()));
        journal.close();
        if (problems.isEmpty()) {
            deleteDisks(prefix.disksDir());
        }
        if (!problems.isEmpty()) {
            TestbedException failure = new TestbedException(
                    "Teardown of environment '" + spec.name() + "' could not do everything; "
                            + problems.size() + " problem(s): "
                            + problems.stream().map(Throwable::getMessage).collect(Collectors.joining("; "))
                            + ". What is left stays registered to this run (leases kept): once the failing daemon"
                            + " answers again, testbed janitor removes it (or testbed destroy " + prefix.dir() + ").",
                    problems.get(0));
            problems.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** Disks are large (overlays with snapshot state); logs and the journal stay for reports. */
    private static void deleteDisks(Path disks) {
        if (!Files.isDirectory(disks)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(disks)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new TestbedException("Cannot delete disks of " + disks + ": " + e, e);
        }
    }
}
