package io.testbed.core.engine;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.netem.NetworkEmulation;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.plan.AddressPlan;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of provisioning: plan → networks → machines → baseline, with rollback. Owns what it creates until
 * it hands it to a {@link LiveEnvironment}.
 */
final class Provisioning {

    private final Engine engine;
    private final EnvironmentSpec spec;
    private final Prefix prefix;
    private final Journal journal;
    private final Owner owner;
    private final ProviderContext context;
    private final Resources resources;
    private final Owners owners;
    private final Map<String, ProviderSession> sessions = new LinkedHashMap<>();
    private Leasing leasing;
    private NetworkEmulation links;

    Provisioning(Engine engine, EnvironmentSpec spec, Prefix prefix, Journal journal) {
        this.engine = engine;
        this.spec = spec;
        this.prefix = prefix;
        this.journal = journal;
        this.owner = new Owner(
                prefix.id(), prefix.dir().toString(), ProcessHandle.current().pid());
        this.context =
                new ProviderContext(prefix, journal, owner, engine.config().asMap());
        this.resources = new Resources(prefix, journal, this::endpoint);
        this.owners = Owners.besideLeases(engine.config().leaseDir());
    }

    /** A context for {@link Provider#validate}: configuration only, no prefix yet. */
    static ProviderContext contextForValidation(TestbedConfig config) {
        return new ProviderContext(null, null, null, config.asMap());
    }

    LiveEnvironment run() {
        Instant start = journal.now();
        journal.record((time, env) -> new EnvironmentEvent.ProvisioningStarted(
                time,
                env,
                prefix.dir().toString(),
                spec.machines().stream().map(m -> m.name()).toList(),
                spec.networks().stream().map(n -> n.name()).toList()));
        // only the providers this environment uses: a VM-only run must not start the Docker client (Testcontainers)
        List<Provider> used = spec.machines().stream()
                .map(MachineSpec::provider)
                .distinct()
                .map(engine.providers()::get)
                .filter(Objects::nonNull)
                .toList();
        // a dead owner's registry entry stays until every provider its environment used has reaped it
        List<String> reapedLines = Reaper.reap(engine.config(), used);
        for (String line : reapedLines) {
            journal.record((time, env) -> new EnvironmentEvent.Reaped(time, env, line));
        }
        owners.register(owner);
        ExecutorService pool = Executors.newFixedThreadPool(engine.config().parallelism(), daemonThreads());
        try {
            prefix.writeSpec(spec);
            leasing = Leasing.open(engine.config());
            Map<String, String> subnets = journal.step(
                    "environment " + spec.name(),
                    "lease.acquire",
                    () -> leasing.acquire(spec, owner),
                    (time, env, leased, took) -> new EnvironmentEvent.LeaseTaken(time, env, leased, took));
            AddressPlan plan = AddressPlanner.plan(spec, prefix.id(), subnets);
            prefix.writeJson("plan.json", plan);
            journal.record((time, env) -> planned(time, env, plan));
            for (MachinePlan machine : plan.machines()) {
                session(machine.spec().provider());
            }
            prepareSessions(plan.machines());
            createNetworks(plan.networks(), pool);
            createMachines(plan.machines(), pool);
            // declared constraints are part of the baseline: applied before it is taken, so a revert keeps them
            links = LinkEmulation.create(spec, resources, owner, journal, pool, prefix.logsDir());
            links.applyBaseline();
            takeBaseline(pool);
            links.snapshotTaken(Environment.BASELINE);
            journal.record((time, env) -> new EnvironmentEvent.Ready(time, env, Duration.between(start, time)));
            return new LiveEnvironment(spec, prefix, journal, resources, sessions, leasing, owners, owner, pool, links);
        } catch (RuntimeException | Error failure) {
            journal.record((time, env) -> new EnvironmentEvent.ProvisioningFailed(
                    time, env, Duration.between(start, time), String.valueOf(failure.getMessage())));
            rollback(failure, pool);
            pool.shutdownNow();
            throw failure;
        }
    }

    private ProviderSession session(String providerName) {
        synchronized (sessions) {
            return sessions.computeIfAbsent(
                    providerName,
                    name -> journal.step(
                            "provider " + name,
                            "provider.open",
                            () -> engine.providers().get(name).open(context),
                            (time, env, session, took) -> new HostEvent.ProviderOpened(time, env, name, took)));
        }
    }

    /** Lets each session choose what already exists for its machines (inventory hosts) before anything is created. */
    private void prepareSessions(List<MachinePlan> machines) {
        for (Map.Entry<String, ProviderSession> entry : sessions.entrySet()) {
            List<MachinePlan> own = machines.stream()
                    .filter(m -> m.spec().provider().equals(entry.getKey()))
                    .toList();
            try {
                entry.getValue().prepare(own);
            } catch (ProvisioningException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ProvisioningException(
                        "provider " + entry.getKey(), "provider.prepare", prefix.dir(), null, e);
            }
        }
    }

    /** Where a provider used by this environment keeps its objects; empty for one the engine does not know. */
    private String endpoint(String providerName) {
        Provider provider = provider(providerName);
        try {
            return provider == null ? "" : provider.endpoint(engine.config().asMap());
        } catch (RuntimeException unknown) {
            return ""; // recorded as unknown: any reaper of the provider counts then, as before endpoints were
        }
    }

    private Provider provider(String name) {
        return engine.providers().get(name);
    }

    private String networkProvider(NetworkPlan network) {
        return networkProvider(spec, network.name(), engine.providers(), engine.config());
    }

    /**
     * The provider that creates a network: the one of its first machine that can create networks, else the
     * configured default provider. Machines of other providers must be able to join it ({@link Capability#SHARED_L2}).
     */
    static String networkProvider(
            EnvironmentSpec spec, String network, Map<String, Provider> providers, TestbedConfig config) {
        return spec.machines().stream()
                .filter(m -> m.networks().contains(network))
                .map(m -> m.provider())
                .filter(p -> providers.containsKey(p)
                        && providers.get(p).capabilities().contains(Capability.NETWORKS))
                .findFirst()
                .orElse(config.get(TestbedConfig.DEFAULT_PROVIDER));
    }

    private void createNetworks(List<NetworkPlan> networks, ExecutorService pool) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (NetworkPlan plan : networks) {
            String providerName = networkProvider(plan);
            Resources.NetworkEntry entry = resources.addNetwork(plan, providerName);
            tasks.add(() -> {
                NetworkResource created = step(
                        entry.lifecycle().resource(),
                        "network.create",
                        null,
                        () -> {
                            InjectedFaults.check(plan.name(), "network.create");
                            return session(providerName).createNetwork(plan);
                        },
                        (time, env, network, took) -> new ResourceEvent.NetworkCreated(
                                time, env, plan.name(), providerName, network.providerId(), plan.cidr(), took));
                entry.created(created);
                return null;
            });
        }
        runAll(tasks, pool);
    }

    private void createMachines(List<MachinePlan> machines, ExecutorService pool) {
        Duration bootTimeout = engine.config().bootTimeout();
        BootWaits bootWaits = new BootWaits();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (MachinePlan plan : machines) {
            Resources.MachineEntry entry =
                    resources.addMachine(plan, provider(plan.spec().provider()).capabilities());
            String name = plan.name();
            tasks.add(() -> {
                try {
                    createMachine(plan, entry, bootWaits, bootTimeout);
                } catch (RuntimeException | Error e) {
                    bootWaits.failed(name);
                    throw e;
                }
                return null;
            });
        }
        runAll(tasks, pool);
    }

    /** Creates, starts and awaits one machine; stops early when a sibling failed ({@link BootWaits}). */
    private void createMachine(
            MachinePlan plan, Resources.MachineEntry entry, BootWaits bootWaits, Duration bootTimeout) {
        String subject = entry.lifecycle().resource();
        String name = plan.name();
        String provider = plan.spec().provider();
        bootWaits.checkNoSiblingFailed(name);
        MachineResource created = step(
                subject,
                "machine.create",
                null,
                () -> {
                    InjectedFaults.check(name, "machine.create");
                    return session(provider).createMachine(plan);
                },
                (time, env, machine, took) ->
                        new ResourceEvent.MachineCreated(time, env, name, provider, machine.providerId(), took));
        entry.created(created);
        Instant booting = journal.now();
        journal.record((time, env) -> new ResourceEvent.MachineBooting(booting, env, name));
        step(
                subject,
                "machine.start",
                created,
                () -> {
                    InjectedFaults.check(name, "machine.start");
                    created.start();
                    return null;
                },
                (time, env, none, took) -> new ResourceEvent.MachineStarted(time, env, name, took));
        entry.lifecycle().moveTo(ResourceState.RUNNING);
        Machine machine = bootWaits.await(
                name,
                () -> step(
                        subject,
                        "machine.ready",
                        created,
                        () -> created.awaitReady(bootTimeout),
                        (time, env, ready, took) -> new ResourceEvent.MachineReady(
                                time, env, name, Duration.between(booting, time), took)));
        entry.ready(machine);
    }

    private void takeBaseline(ExecutorService pool) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (Resources.MachineEntry entry : resources.machines()) {
            if (!entry.snapshots()) {
                journal.record((time, env) -> new ResourceEvent.SnapshotSkipped(
                        time,
                        env,
                        entry.plan().name(),
                        "provider " + entry.plan().spec().provider() + " cannot take snapshots"));
                continue;
            }
            tasks.add(() -> step(
                    entry.lifecycle().resource(),
                    "snapshot.create",
                    entry.resource(),
                    () -> {
                        InjectedFaults.check(entry.plan().name(), "snapshot.create");
                        entry.resource().snapshot(Environment.BASELINE);
                        return null;
                    },
                    (time, env, none, took) -> new ResourceEvent.SnapshotTaken(
                            time, env, entry.plan().name(), Environment.BASELINE, took)));
        }
        runAll(tasks, pool);
    }

    /** The topology once leases and addresses are known: what a report draws. */
    private static EnvironmentEvent.Planned planned(Instant time, String environment, AddressPlan plan) {
        List<EnvironmentEvent.MachineSummary> machines = plan.machines().stream()
                .map(m -> new EnvironmentEvent.MachineSummary(
                        m.name(),
                        m.spec().provider(),
                        m.spec().image(),
                        m.spec().roles(),
                        addresses(m)))
                .toList();
        List<EnvironmentEvent.NetworkSummary> networks = plan.networks().stream()
                .map(n -> new EnvironmentEvent.NetworkSummary(
                        n.name(), n.spec().mode().name(), n.cidr()))
                .toList();
        return new EnvironmentEvent.Planned(time, environment, machines, networks);
    }

    private static Map<String, String> addresses(MachinePlan machine) {
        Map<String, String> addresses = new LinkedHashMap<>();
        machine.nics().forEach(nic -> addresses.put(nic.network(), nic.address().getHostAddress()));
        return addresses;
    }

    /** Runs a step, journaling it and wrapping any failure with the resource, phase and console tail. */
    private <T> T step(
            String subject,
            String phase,
            MachineResource console,
            java.util.function.Supplier<T> body,
            Journal.Done<? super T> done) {
        try {
            return journal.step(subject, phase, body, done);
        } catch (ProvisioningException e) {
            throw e;
        } catch (RuntimeException e) {
            String tail = console == null ? null : console.consoleTail(30);
            throw new ProvisioningException(subject, phase, prefix.dir(), tail, e);
        }
    }

    /**
     * Runs tasks on the pool, waits for ALL of them, then rethrows the first failure (others suppressed); a
     * machine {@linkplain BootWaits.Abandoned abandoned} because of another's failure never leads.
     */
    static void runAll(List<Callable<Void>> tasks, ExecutorService pool) {
        List<Future<Void>> futures = new ArrayList<>();
        for (Callable<Void> task : tasks) {
            futures.add(pool.submit(task));
        }
        RuntimeException first = null;
        for (Future<Void> future : futures) {
            try {
                future.get();
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re
                        ? re
                        : new TestbedException(String.valueOf(e.getCause()), e.getCause());
                if (first == null) {
                    first = cause;
                } else if (first instanceof BootWaits.Abandoned && !(cause instanceof BootWaits.Abandoned)) {
                    cause.addSuppressed(first); // the root cause leads, the siblings it stopped follow
                    first = cause;
                } else if (first != cause) {
                    first.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestbedException("Interrupted while provisioning", e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void rollback(Throwable failure, ExecutorService pool) {
        Instant start = journal.now();
        List<Throwable> problems = new ArrayList<>();
        if (links != null) {
            try {
                links.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        problems.addAll(Teardown.destroy(resources, sessions, leasing, journal, () -> owners.unregister(owner), pool));
        for (Throwable problem : problems) {
            failure.addSuppressed(problem);
        }
        journal.record((time, env) -> new EnvironmentEvent.Closed(
                time, env, EnvironmentEvent.Outcome.ROLLED_BACK, Duration.between(start, time), problems.size()));
        journal.close();
    }

    static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "testbed-provision-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
