package io.testbed.core.engine;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.journal.Journal;
import io.testbed.core.plan.AddressPlan;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import io.testbed.core.config.TestbedConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    Provisioning(Engine engine, EnvironmentSpec spec, Prefix prefix, Journal journal) {
        this.engine = engine;
        this.spec = spec;
        this.prefix = prefix;
        this.journal = journal;
        this.owner = new Owner(prefix.id(), prefix.dir().toString(), ProcessHandle.current().pid());
        this.context = new ProviderContext(prefix, journal, owner, engine.config().asMap());
        this.resources = new Resources(prefix, journal);
        this.owners = Owners.besideLeases(engine.config().leaseDir());
    }

    /** A context for {@link Provider#validate}: configuration only, no prefix yet. */
    static ProviderContext contextForValidation(TestbedConfig config) {
        return new ProviderContext(null, null, null, config.asMap());
    }

    LiveEnvironment run() {
        Instant start = Instant.now();
        journal.record("environment.provision", "environment " + spec.name(), "started",
                Map.of("prefix", prefix.dir().toString(), "machines", spec.machines().size(),
                        "networks", spec.networks().size()));
        for (String line : Reaper.reap(engine.config(), engine.providers().values())) {
            journal.record("reaper", "host", "reaped", Map.of("object", line));
        }
        owners.register(owner);
        ExecutorService pool = Executors.newFixedThreadPool(engine.config().parallelism(), daemonThreads());
        try {
            prefix.writeJson("spec.json", spec);
            leasing = Leasing.open(engine.config());
            Map<String, String> subnets = journal.step("lease.acquire", "environment " + spec.name(),
                    () -> leasing.acquire(spec, owner));
            AddressPlan plan = AddressPlanner.plan(spec, prefix.id(), subnets);
            prefix.writeJson("plan.json", plan);
            for (MachinePlan machine : plan.machines()) {
                session(machine.spec().provider());
            }
            createNetworks(plan.networks(), pool);
            createMachines(plan.machines(), pool);
            takeBaseline(pool);
            journal.record("environment.provision", "environment " + spec.name(), "ok",
                    Map.of("durationMs", Duration.between(start, Instant.now()).toMillis()));
            return new LiveEnvironment(spec, prefix, journal, resources, sessions, leasing, owners, owner, pool);
        } catch (RuntimeException | Error failure) {
            rollback(failure, pool);
            pool.shutdownNow();
            throw failure;
        }
    }

    private ProviderSession session(String providerName) {
        synchronized (sessions) {
            return sessions.computeIfAbsent(providerName, name -> journal.step("provider.open", "provider " + name,
                    () -> engine.providers().get(name).open(context)));
        }
    }

    private Provider provider(String name) {
        return engine.providers().get(name);
    }

    /** The provider that creates a network: the one of its first machine that can create networks. */
    private String networkProvider(NetworkPlan network) {
        return spec.machines().stream()
                .filter(m -> m.networks().contains(network.name()))
                .map(m -> m.provider())
                .filter(p -> provider(p).capabilities().contains(Capability.NETWORKS))
                .findFirst()
                .orElse(engine.config().get(io.testbed.core.config.TestbedConfig.DEFAULT_PROVIDER));
    }

    private void createNetworks(List<NetworkPlan> networks, ExecutorService pool) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (NetworkPlan plan : networks) {
            String providerName = networkProvider(plan);
            Resources.NetworkEntry entry = resources.addNetwork(plan, providerName);
            tasks.add(() -> {
                NetworkResource created = step(entry.lifecycle().resource(), "network.create", null,
                        () -> session(providerName).createNetwork(plan));
                entry.created(created);
                return null;
            });
        }
        runAll(tasks, pool);
    }

    private void createMachines(List<MachinePlan> machines, ExecutorService pool) {
        Duration bootTimeout = engine.config().bootTimeout();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (MachinePlan plan : machines) {
            Resources.MachineEntry entry = resources.addMachine(plan, snapshots(plan.spec().provider()));
            String subject = entry.lifecycle().resource();
            tasks.add(() -> {
                MachineResource created = step(subject, "machine.create", null,
                        () -> session(plan.spec().provider()).createMachine(plan));
                entry.created(created);
                step(subject, "machine.start", created, () -> {
                    created.start();
                    return null;
                });
                entry.lifecycle().moveTo(ResourceState.RUNNING);
                Machine machine = step(subject, "machine.ready", created, () -> created.awaitReady(bootTimeout));
                entry.ready(machine);
                return null;
            });
        }
        runAll(tasks, pool);
    }

    private void takeBaseline(ExecutorService pool) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (Resources.MachineEntry entry : resources.machines()) {
            if (!entry.snapshots()) {
                journal.record("snapshot.skip", entry.lifecycle().resource(), "skipped",
                        Map.of("reason", "provider " + entry.plan().spec().provider() + " cannot take snapshots"));
                continue;
            }
            tasks.add(() -> step(entry.lifecycle().resource(), "snapshot.create", entry.resource(), () -> {
                entry.resource().snapshot(Environment.BASELINE);
                return null;
            }));
        }
        runAll(tasks, pool);
    }

    private boolean snapshots(String providerName) {
        var capabilities = provider(providerName).capabilities();
        return capabilities.contains(Capability.MEMORY_SNAPSHOTS) || capabilities.contains(Capability.DISK_SNAPSHOTS);
    }

    /** Runs a step, journaling it and wrapping any failure with the resource, phase and console tail. */
    private <T> T step(String subject, String phase, MachineResource console, java.util.function.Supplier<T> body) {
        try {
            return journal.step(phase, subject, body);
        } catch (ProvisioningException e) {
            throw e;
        } catch (RuntimeException e) {
            String tail = console == null ? null : console.consoleTail(30);
            throw new ProvisioningException(subject, phase, prefix.dir(), tail, e);
        }
    }

    /** Runs tasks on the pool, waits for ALL of them, then rethrows the first failure (others suppressed). */
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
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                        : new TestbedException(String.valueOf(e.getCause()), e.getCause());
                if (first == null) {
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
        journal.record("environment.rollback", "environment " + spec.name(), "started",
                Map.of("cause", String.valueOf(failure.getMessage())));
        List<Throwable> problems = Teardown.destroy(resources, sessions, leasing, journal,
                () -> owners.unregister(owner), pool);
        for (Throwable problem : problems) {
            failure.addSuppressed(problem);
        }
        journal.record("environment.rollback", "environment " + spec.name(), problems.isEmpty() ? "ok" : "failed",
                Map.of("problems", problems.size()));
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
