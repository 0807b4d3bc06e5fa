package io.testbed.core.engine;

import io.testbed.core.Environment;
import io.testbed.core.TestbedException;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.Journal;
import io.testbed.core.machine.CommandLog;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.Problems;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Provider;
import io.testbed.core.ssh.SshKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;
import org.apiguardian.api.API;

/**
 * Testbed's entry point: validates environment specs and provisions them into live {@link Environment}s.
 *
 * <p>Providers are found with {@link ServiceLoader}. An engine is cheap, immutable and thread-safe; several
 * environments may be provisioned at once (each gets its own prefix and leases).
 *
 * <p>Data flows one way: spec (validated, nothing provisioned) → plan (leases → networks → machines →
 * baseline snapshot) → provider calls → live environment. Every step is journaled in the prefix.
 */
@API(status = API.Status.INTERNAL)
public final class Engine {

    private final TestbedConfig config;
    private final Map<String, Provider> providers;

    private Engine(TestbedConfig config, List<Provider> providers) {
        this.config = config;
        Map<String, Provider> byName = new LinkedHashMap<>();
        for (Provider provider : providers) {
            Provider previous = byName.putIfAbsent(provider.name(), provider);
            if (previous != null) {
                throw new TestbedException("Two providers are named '" + provider.name() + "': "
                        + previous.getClass().getName() + " and "
                        + provider.getClass().getName()
                        + "; remove one of them from the class path");
            }
        }
        this.providers = Map.copyOf(byName);
    }

    /** An engine with every provider on the class path. */
    public static Engine create(TestbedConfig config) {
        List<Provider> found = new ArrayList<>();
        ServiceLoader.load(Provider.class).forEach(found::add);
        return new Engine(config, found);
    }

    /** An engine with exactly these providers (for tests and embedding). */
    public static Engine withProviders(TestbedConfig config, List<Provider> providers) {
        return new Engine(config, providers);
    }

    public TestbedConfig config() {
        return config;
    }

    /** The providers by name. */
    public Map<String, Provider> providers() {
        return providers;
    }

    /**
     * Checks the rules that depend on configuration and providers: every machine's provider is installed,
     * explicit subnets lie in the lease pool, each provider accepts its machines (template exists, image
     * present), and the declared link constraints name existing groups and networks and can be honoured by the
     * kernels that carry each sender's traffic. Creates nothing.
     *
     * @throws InvalidSpecException listing every problem found
     */
    public void validate(EnvironmentSpec spec) {
        Problems problems = new Problems();
        Leasing.checkSubnets(spec, config, problems);
        for (MachineSpec machine : spec.machines()) {
            Provider provider = providers.get(machine.provider());
            if (provider == null) {
                problems.add(
                        machine.element(),
                        "provider",
                        "names provider " + Problems.quote(machine.provider())
                                + " which is not on the class path; installed providers: "
                                + providers.keySet().stream().sorted().toList() + " (add the testbed-"
                                + machine.provider() + " dependency)");
                continue;
            }
            checkCapabilities(spec, machine, provider, problems);
            problems.addAll(provider.validate(machine, spec, Provisioning.contextForValidation(config)));
        }
        LinkEmulation.check(spec, providers, problems);
        problems.throwIfAny();
    }

    /** What a machine declares that its provider's {@link Capability capabilities} do not cover. */
    private void checkCapabilities(EnvironmentSpec spec, MachineSpec machine, Provider provider, Problems problems) {
        Set<Capability> capabilities = provider.capabilities();
        if (!machine.disks().isEmpty() && !capabilities.contains(Capability.DATA_DISKS)) {
            List<String> withDisks = providersWith(Capability.DATA_DISKS);
            problems.add(
                    machine.element(),
                    "disks",
                    "declares " + machine.disks().size() + " data disk(s), but "
                            + "provider " + Problems.quote(provider.name()) + " has no data disks; remove them"
                            + (withDisks.isEmpty() ? "" : " or use a provider that has them: " + withDisks));
        }
        if (capabilities.contains(Capability.SHARED_L2)) {
            return;
        }
        for (String network : machine.networks()) {
            String creator = Provisioning.networkProvider(spec, network, providers, config);
            if (!creator.equals(machine.provider())) {
                problems.add(
                        machine.element(),
                        "networks",
                        "joins network " + Problems.quote(network)
                                + ", which provider " + Problems.quote(creator)
                                + " creates (its first machine's provider), but provider "
                                + Problems.quote(machine.provider()) + " cannot join another provider's network; "
                                + "declare a machine of provider " + Problems.quote(machine.provider())
                                + " on it first");
            }
        }
    }

    private List<String> providersWith(Capability capability) {
        return providers.values().stream()
                .filter(p -> p.capabilities().contains(capability))
                .map(Provider::name)
                .sorted()
                .toList();
    }

    /**
     * The distinct ways the providers can give {@code spec} its machines when they choose among existing things
     * (inventory hosts): at most {@code limit}, each named after its choice ({@code server=lab-1}) and carrying the
     * environment with that choice fixed. A single unnamed entry, {@code spec} itself, when no provider chooses.
     * Validates first; creates nothing.
     *
     * @throws InvalidSpecException when the spec breaks a rule or a provider has no way at all
     */
    public List<Provider.Choice> choices(EnvironmentSpec spec, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        validate(spec);
        List<Provider.Choice> choices = List.of(new Provider.Choice("", spec));
        List<String> used =
                spec.machines().stream().map(MachineSpec::provider).distinct().toList();
        for (String name : used) {
            Provider provider = providers.get(name);
            List<Provider.Choice> combined = new ArrayList<>();
            for (Provider.Choice so : choices) {
                List<Provider.Choice> own =
                        provider.choices(so.environment(), Provisioning.contextForValidation(config), limit);
                if (own.isEmpty()) {
                    combined.add(so);
                }
                for (Provider.Choice choice : own) {
                    if (combined.size() < limit) {
                        String joined = so.name().isEmpty() ? choice.name() : so.name() + ", " + choice.name();
                        combined.add(new Provider.Choice(joined, choice.environment()));
                    }
                }
            }
            choices = combined;
        }
        return choices;
    }

    /**
     * Provisions {@code spec}: validates it, creates a prefix, leases subnets, creates networks, creates and
     * boots machines in parallel (bounded by {@link TestbedConfig#PARALLELISM}), waits until each answers a
     * command, and takes the {@link Environment#BASELINE} snapshot where the providers can.
     *
     * <p>On any failure, everything created is destroyed in reverse order, the leases are released, the prefix
     * is kept with its logs and journal, and a {@link ProvisioningException} names the failing resource, the
     * phase and the console tail.
     *
     * @param progress called with every journal event as it happens (progress output), in the thread that records
     *                 it; may be a no-op
     * @return the handle of the live environment: its {@link EnvironmentHandle#environment() environment} is what
     *         tests use; the caller must {@link EnvironmentHandle#close() close} the handle
     * @throws InvalidSpecException  when the spec breaks a rule (nothing was created)
     * @throws ProvisioningException when provisioning failed (everything was rolled back)
     */
    public EnvironmentHandle provision(EnvironmentSpec spec, Consumer<? super Event> progress) {
        validate(spec);
        Prefix prefix = Prefix.create(config.prefixRoot(), spec.name());
        SshKeys.generate(prefix.keyFile(), "testbed-" + prefix.shortId());
        Journal journal = Journal.open(prefix.journalFile(), spec.name());
        // the text command log is a rendering of the journal's command events, for people reading logs
        journal.addListener(CommandLog.appendingTo(prefix.logsDir().resolve("commands.log")));
        journal.addListener(progress);
        return new EnvironmentHandle(new Provisioning(this, spec, prefix, journal).run());
    }
}
