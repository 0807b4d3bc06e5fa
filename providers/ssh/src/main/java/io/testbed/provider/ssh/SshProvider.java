package io.testbed.provider.ssh;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.ExistingHostOptions;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apiguardian.api.API;

/**
 * Existing machines from an inventory, reached over SSH (provider {@value #NAME}). A machine asks for a host by
 * requirements, roles and shared segments ({@link io.testbed.core.spec.ExistingHostOptions}); the provider gives every
 * machine of an environment its own inventory host ({@link HostMatcher}), leases those hosts exclusively across JVMs
 * ({@link HostLeaseStore}) for the environment's lifetime and hands out the same {@link io.testbed.core.Machine} API as
 * for VMs, over {@link io.testbed.core.ssh.SshTransport} with the inventory's key and pinned host key.
 *
 * <ul>
 *   <li>Validation (before anything is provisioned): the inventory ({@value TestbedConfig#SSH_INVENTORY}) is read and
 *       checked, every requirement parses, and the environment's machines can be matched at all (facts probed over
 *       SSH where a requirement needs one the inventory does not declare); a failed match is explained per machine.</li>
 *   <li>{@link ProviderSession#prepare}: matches again among the hosts no other run holds and leases them, waiting up
 *       to {@value TestbedConfig#SSH_LEASE_TIMEOUT} while they are busy, then failing with the holders' names.</li>
 *   <li>Machines are never started, stopped, rebooted, reinstalled or snapshotted (no snapshot capability: the engine
 *       skips them when it reverts). After each test the harness kills the test's jobs and restores the settings it
 *       changed, as on every machine; teardown does that once more and releases the leases.</li>
 *   <li>Leases of a JVM that died are stale and reclaimed by the next acquisition and by {@link #reapOrphans}.</li>
 * </ul>
 */
@API(status = API.Status.INTERNAL)
public final class SshProvider implements Provider {

    /** The provider name used in specs. */
    public static final String NAME = ExistingHostOptions.PROVIDER;

    /** Facts per host, shared by the sessions of this provider instance (one engine) for a few minutes. */
    private final Map<Duration, FactCache> facts = new java.util.concurrent.ConcurrentHashMap<>();

    /** Instantiated by {@link java.util.ServiceLoader}; reads nothing until used. */
    public SshProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    /**
     * An existing host is a real machine with its own kernel ({@link Capability#OWN_KERNEL}); it creates and joins no
     * Testbed network (no {@link Capability#NETWORKS}, no {@link Capability#SHARED_L2}), so no link constraint can
     * select it (the engine says so before anything is leased), and it is never snapshotted or paused.
     */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.OWN_KERNEL);
    }

    /**
     * Checks the machine's options and requirements; for the environment's first machine of this provider also reads
     * the inventory and matches every machine of this provider, so a problem is reported once.
     */
    @Override
    public List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
        List<SpecProblem> problems = new ArrayList<>(Requests.problems(machine));
        List<MachineSpec> machines = Requests.machines(environment);
        if (!machines.get(0).name().equals(machine.name())) {
            return problems;
        }
        boolean allParse = machines.stream().allMatch(m -> Requests.problems(m).isEmpty());
        try {
            Inventory inventory = InventorySource.load(context.configuration());
            if (allParse) {
                matcher(inventory, context.configuration()).match(Requests.of(machines));
            }
        } catch (InventoryException e) {
            problems.add(new SpecProblem(machine.element(), "", "cannot use the inventory: " + e.getMessage()));
        } catch (NoMatchException e) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "requires",
                    "cannot be met by the inventory:" + System.lineSeparator() + e.getMessage()));
        } catch (IllegalArgumentException e) {
            problems.add(new SpecProblem(machine.element(), "requires", e.getMessage()));
        }
        return problems;
    }

    /** One choice per distinct match of the environment's existing hosts, named {@code server=lab-1, …}. */
    @Override
    public List<Choice> choices(EnvironmentSpec environment, ProviderContext context, int limit) {
        List<MachineSpec> machines = Requests.machines(environment);
        if (machines.isEmpty()) {
            return List.of();
        }
        List<Match> matches;
        try {
            matches = matcher(InventorySource.load(context.configuration()), context.configuration())
                    .matchAll(Requests.of(machines), limit);
        } catch (NoMatchException | InventoryException e) {
            throw new InvalidSpecException(List.of(new SpecProblem(
                    machines.get(0).element(), "requires", "cannot be met by the inventory: " + e.getMessage())));
        }
        List<Choice> choices = new ArrayList<>();
        for (Match match : matches) {
            List<MachineSpec> fixed = environment.machines().stream()
                    .map(m -> match.host(m.name())
                            .map(host -> withHost(m, host.name()))
                            .orElse(m))
                    .toList();
            choices.add(new Choice(
                    match.displayName(), new EnvironmentSpec(environment.name(), environment.networks(), fixed)));
        }
        return choices;
    }

    private static MachineSpec withHost(MachineSpec m, String host) {
        return new MachineSpec(
                m.name(),
                m.provider(),
                m.image(),
                m.cpus(),
                m.memoryMb(),
                m.networks(),
                m.disks(),
                m.roles(),
                m.properties(),
                Requests.options(m).withHost(host));
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        return new SshSession(context, this::matcher, store(context.configuration()));
    }

    /** Reclaims the host leases of dead JVMs and deleted prefixes; existing hosts themselves are never touched. */
    @Override
    public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
        return store(configuration).reclaimStale().stream()
                .map(lease -> "stale host lease: " + lease.describe())
                .toList();
    }

    HostMatcher matcher(Inventory inventory, Map<String, String> configuration) {
        Duration timeout = TestbedConfig.of(configuration).duration(TestbedConfig.SSH_CONNECT_TIMEOUT);
        FactCache cache =
                facts.computeIfAbsent(timeout, t -> new FactCache(new SshFactProbe(t), FactCache.DEFAULT_TTL));
        return new HostMatcher(inventory, cache);
    }

    private static HostLeaseStore store(Map<String, String> configuration) {
        return HostLeaseStore.besideSubnetLeases(
                Path.of(configuration.getOrDefault(TestbedConfig.LEASE_DIR, TestbedConfig.DEFAULT_LEASE_DIR)));
    }
}
