package io.testbed.core.engine;

import io.testbed.core.TestbedException;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.spi.ProviderSession;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Destroys what an environment created, newest first, continuing past failures and collecting them. */
final class Teardown {

    private Teardown() {}

    /**
     * Stops and destroys machines (in parallel on {@code pool}: stopping a VM takes seconds), then networks (reverse
     * declaration order), closes the provider sessions and
     * releases the leases — the leases only when every provider object is gone, so a subnet still carried by a
     * leftover bridge is never handed to another environment (the reaper reclaims it later).
     *
     * @param unregister drops the owner from the host registry; run only when everything is gone
     * @return every failure met; empty when all went well
     */
    static List<Throwable> destroy(
            Resources resources,
            Map<String, ProviderSession> sessions,
            Leasing leasing,
            Journal journal,
            Runnable unregister,
            ExecutorService pool) {
        List<Throwable> problems = Collections.synchronizedList(new ArrayList<>());
        List<Resources.MachineEntry> machines = new ArrayList<>(resources.machines());
        Collections.reverse(machines);
        List<Future<?>> stopping = new ArrayList<>();
        for (Resources.MachineEntry entry : machines) {
            Lifecycle lifecycle = entry.lifecycle();
            if (!lifecycle.needsDestroy() || entry.resource() == null) {
                continue;
            }
            String name = entry.plan().name();
            stopping.add(pool.submit(() -> destroyOne(
                    lifecycle,
                    "machine.destroy",
                    entry.resource()::stop,
                    entry.resource()::destroy,
                    journal,
                    problems,
                    (time, env, none, took) -> new ResourceEvent.MachineDestroyed(time, env, name, took))));
        }
        for (Future<?> future : stopping) {
            try {
                future.get();
            } catch (ExecutionException e) {
                problems.add(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(e);
            }
        }
        List<Resources.NetworkEntry> networks = new ArrayList<>(resources.networks());
        Collections.reverse(networks);
        for (Resources.NetworkEntry entry : networks) {
            Lifecycle lifecycle = entry.lifecycle();
            if (!lifecycle.needsDestroy() || entry.resource() == null) {
                continue;
            }
            // a network has nothing to stop apart from its removal
            String name = entry.plan().name();
            destroyOne(
                    lifecycle,
                    "network.destroy",
                    () -> {},
                    entry.resource()::destroy,
                    journal,
                    problems,
                    (time, env, none, took) -> new ResourceEvent.NetworkDestroyed(time, env, name, took));
        }
        for (var session : sessions.entrySet()) {
            try {
                session.getValue().close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        sessions.clear();
        if (leasing != null) {
            if (problems.isEmpty()) {
                try {
                    journal.runStep(
                            "environment",
                            "lease.release",
                            leasing::releaseAll,
                            (time, env, none, took) -> new EnvironmentEvent.LeaseReleased(time, env, took));
                } catch (RuntimeException e) {
                    problems.add(e);
                }
            } else {
                journal.record((time, env) -> new EnvironmentEvent.LeaseKept(
                        time, env, "teardown failed; the reaper releases the leases once the objects are gone"));
            }
        }
        if (problems.isEmpty()) {
            try {
                unregister.run();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        return problems;
    }

    /**
     * Moves one resource to DESTROYED along its lifecycle (running or paused → stopped → destroyed), journaled;
     * a failure is collected and leaves the resource in ERROR.
     */
    private static void destroyOne(
            Lifecycle lifecycle,
            String phase,
            Runnable stop,
            Runnable destroy,
            Journal journal,
            List<Throwable> problems,
            Journal.Done<Void> done) {
        try {
            journal.runStep(
                    lifecycle.resource(),
                    phase,
                    () -> {
                        ResourceState state = lifecycle.state();
                        if (state == ResourceState.RUNNING || state == ResourceState.PAUSED) {
                            stop.run();
                            lifecycle.moveTo(ResourceState.STOPPED);
                        }
                        destroy.run();
                        lifecycle.moveTo(ResourceState.DESTROYED);
                    },
                    done);
        } catch (RuntimeException e) {
            // the resource and step lead, so a teardown that met several failures can list them all
            problems.add(new TestbedException(
                    lifecycle.resource() + " was not removed (" + phase + "): " + e.getMessage(), e));
            moveToError(lifecycle);
        }
    }

    private static void moveToError(Lifecycle lifecycle) {
        if (lifecycle.state().canMoveTo(ResourceState.ERROR)) {
            lifecycle.moveTo(ResourceState.ERROR);
        }
    }
}
