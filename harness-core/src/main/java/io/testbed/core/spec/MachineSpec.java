package io.testbed.core.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * A declared machine.
 *
 * @param name       unique in the environment, a DNS label; also the guest's hostname
 * @param provider   the provider that creates it ({@code libvirt}, {@code docker}, {@code ssh})
 * @param image      the template (libvirt), image (docker) or inventory selector (ssh); may be empty where the
 *                   provider has a default
 * @param cpus       virtual CPUs, 1–64
 * @param memoryMb   memory in MiB, at least {@value #MIN_MEMORY_MB}
 * @param networks   the networks it has a NIC on, in NIC order
 * @param disks      extra empty data disks
 * @param roles      the roles it plays, for {@code machines(role)} and network constraints
 * @param properties free-form properties, handed to the provider and readable from the machine
 * @param options    typed settings only this machine's provider reads ({@link ContainerOptions} for
 *                   {@code docker}), or {@link ProviderOptions#none()}; never shown as properties
 */
@API(status = API.Status.EXPERIMENTAL)
public record MachineSpec(
        String name,
        String provider,
        String image,
        int cpus,
        int memoryMb,
        List<String> networks,
        List<DiskSpec> disks,
        Set<String> roles,
        Map<String, String> properties,
        ProviderOptions options) {

    public static final int MIN_MEMORY_MB = 32;
    public static final int MAX_CPUS = 64;

    public MachineSpec {
        Objects.requireNonNull(image, "image");
        networks = List.copyOf(networks);
        disks = List.copyOf(disks);
        roles = Set.copyOf(roles);
        properties = Map.copyOf(properties);
        options = options == null ? ProviderOptions.none() : options;
        String element = "machine " + Problems.quote(name);
        Problems problems = new Problems().checkName(element, name);
        if (provider == null || provider.isBlank()) {
            problems.add(element, "provider", "must not be blank");
        } else if (!options.provider().isEmpty() && !options.provider().equals(provider)) {
            problems.add(
                    element,
                    "options",
                    "are for provider " + Problems.quote(options.provider()) + ", not for this machine's provider "
                            + Problems.quote(provider));
        }
        if (cpus < 1 || cpus > MAX_CPUS) {
            problems.add(element, "cpus", "must be between 1 and " + MAX_CPUS + ", was " + cpus);
        }
        if (memoryMb < MIN_MEMORY_MB) {
            problems.add(element, "memoryMb", "must be at least " + MIN_MEMORY_MB + ", was " + memoryMb);
        }
        Set<String> seen = new HashSet<>();
        for (String network : networks) {
            if (!seen.add(network)) {
                problems.add(element, "networks", "lists network " + Problems.quote(network) + " twice");
            }
        }
        Set<String> diskNames = new HashSet<>();
        for (DiskSpec disk : disks) {
            if (!diskNames.add(disk.name())) {
                problems.add(element, "disks", "declares disk " + Problems.quote(disk.name()) + " twice");
            }
        }
        for (String role : roles) {
            if (!Problems.NAME.matcher(role).matches()) {
                problems.add(element, "roles", "role " + Problems.quote(role) + " " + Problems.NAME_RULE);
            }
        }
        problems.throwIfAny();
    }

    /** A machine without provider-specific options. */
    public MachineSpec(
            String name,
            String provider,
            String image,
            int cpus,
            int memoryMb,
            List<String> networks,
            List<DiskSpec> disks,
            Set<String> roles,
            Map<String, String> properties) {
        this(name, provider, image, cpus, memoryMb, networks, disks, roles, properties, ProviderOptions.none());
    }

    /** The options if they are of {@code type}, e.g. {@code options(ContainerOptions.class)}. */
    public <T extends ProviderOptions> Optional<T> options(Class<T> type) {
        return type.isInstance(options) ? Optional.of(type.cast(options)) : Optional.empty();
    }

    public String element() {
        return "machine " + Problems.quote(name);
    }
}
