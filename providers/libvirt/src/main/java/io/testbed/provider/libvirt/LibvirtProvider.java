package io.testbed.provider.libvirt;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.internal.support.Failures;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import io.testbed.images.TemplateException;
import io.testbed.images.TemplateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apiguardian.api.API;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Virtual machines through libvirt (libvirt-java over JNA): libvirt networks on leased subnets, qcow2 overlays
 * backed by templates, a NoCloud seed ISO per machine, internal live snapshots (memory + disk) reverted in
 * place. Connects to {@value TestbedConfig#LIBVIRT_URI} (default {@value TestbedConfig#DEFAULT_LIBVIRT_URI}).
 *
 * <p>Machines are reached over SSH with the prefix key and a host key generated for each machine and pinned
 * before it boots. Domains run under KVM only when a real probe boot shows KVM works; otherwise under TCG.
 *
 * <p>Machines of the built-in tiny template start warm when their shape allows ({@value TestbedConfig#WARM_START}):
 * restored from the template's warm image and handed their identity over a virtio-serial channel, instead of
 * booting; the journal ({@code machine.start.chosen}) says which start each machine got and why.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class LibvirtProvider implements Provider {

    /** The provider name used in specs. */
    public static final String NAME = "libvirt";

    /**
     * A machine property whose value is appended to the kernel command line of templates that boot their own
     * kernel (e.g. {@code testbed.trace} prints a timestamp per boot step of the tiny guest).
     */
    public static final String KERNEL_ARGS = "libvirt.kernelArgs";

    /** The least memory the built-in tiny template boots with. */
    static final int MIN_TINY_MEMORY_MB = 96;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.NETWORKS,
                Capability.DATA_DISKS,
                Capability.MEMORY_SNAPSHOTS,
                Capability.PAUSE,
                Capability.OWN_KERNEL);
    }

    @Override
    public List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
        List<SpecProblem> problems = new ArrayList<>();
        String template = template(machine, context.configuration());
        if (!template.equals(TemplateStore.TINY)) {
            Path image = Path.of(template);
            if (!Files.isRegularFile(image)) {
                problems.add(new SpecProblem(
                        machine.element(),
                        "template",
                        "'" + template + "' is neither a built-in" + " template (" + TemplateStore.TINY
                                + ") nor an existing qcow2 or raw image file"));
            } else if (!Files.isReadable(image)) {
                problems.add(new SpecProblem(
                        machine.element(), "template", "image file '" + template + "' is not readable"));
            } else {
                notADiskImage(image)
                        .ifPresent(why -> problems.add(new SpecProblem(machine.element(), "template", why)));
            }
        } else if (machine.memoryMb() < MIN_TINY_MEMORY_MB) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "memoryMb",
                    "must be at least " + MIN_TINY_MEMORY_MB + " for the tiny template, was " + machine.memoryMb()));
        }
        qemuCannotEnter(TestbedConfig.of(context.configuration()).prefixRoot())
                .ifPresent(dir -> problems.add(new SpecProblem(
                        machine.element(),
                        "",
                        "QEMU runs as another user"
                                + " (libvirt-qemu) and cannot enter " + dir + " on the way to the prefix root; set "
                                + TestbedConfig.PREFIX_ROOT
                                + " to a directory under world-searchable parents, or chmod o+x "
                                + dir)));
        if (machine.networks().isEmpty()) {
            problems.add(new SpecProblem(
                    machine.element(),
                    "networks",
                    "must name at least one network: libvirt"
                            + " machines are reached over SSH on their first network"));
        }
        return problems;
    }

    /** Why {@code image} is not a qcow2 or raw disk image (by {@code qemu-img info}), or empty when it is one. */
    private static Optional<String> notADiskImage(Path image) {
        try {
            TemplateStore.inspectImage(image);
            return Optional.empty();
        } catch (TemplateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The first existing directory on the way to {@code root} that others cannot search (no {@code o+x}), which
     * would keep QEMU from opening disks and logs in prefixes under it.
     */
    static Optional<Path> qemuCannotEnter(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        List<Path> chain = new ArrayList<>();
        for (Path p = dir; p != null; p = p.getParent()) {
            chain.add(0, p);
        }
        for (Path p : chain) {
            if (!Files.isDirectory(p)) {
                break;
            }
            try {
                if (!Files.getPosixFilePermissions(p)
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (java.io.IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The key pair ({@code .pub} beside it) a machine of the prefix in {@code prefixDir} proves itself with: generated
     * before the machine boots, handed to it on the seed disk and pinned by every SSH client (the engine's, and
     * {@code testbed ssh}).
     */
    public static Path hostKeyFile(Path prefixDir, String machine) {
        return prefixDir.resolve("keys").resolve(machine + "-host_ed25519");
    }

    /** The template a machine boots: its own, else the configured default. */
    static String template(MachineSpec machine, Map<String, String> configuration) {
        return machine.image().isBlank() ? TestbedConfig.of(configuration).defaultTemplate() : machine.image();
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        return new LibvirtSession(context);
    }

    /** The template store configured by {@value TestbedConfig#TEMPLATE_CACHE}, or the default one. */
    static TemplateStore templates(Map<String, String> configuration, Consumer<String> progress) {
        return TemplateStore.configured(TestbedConfig.of(configuration), progress);
    }

    /** The libvirt this provider talks to: {@value TestbedConfig#LIBVIRT_URI}, normalised. */
    @Override
    public String endpoint(Map<String, String> configuration) {
        return LibvirtConnection.normalisedUri(TestbedConfig.of(configuration).libvirtUri());
    }

    @Override
    public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
        List<String> reaped = new ArrayList<>();
        RuntimeException failure = null;
        TestbedConfig config = TestbedConfig.of(configuration);
        Owners owners = Owners.besideLeases(config.leaseDir());
        // not an orphan's object, but what the host keeps for nobody: warm images unused for days (needs no libvirtd)
        reaped.addAll(
                WarmImagePruning.pruneStore(templates(configuration, line -> {}).root(), config.warmImageUnused()));
        try (LibvirtConnection libvirt = LibvirtConnection.open(config.libvirtUri())) {
            for (String name : libvirt.call("list domains", LibvirtProvider::domainNames)) {
                if (!name.startsWith("tb-")) {
                    continue;
                }
                Optional<Owner> owner = libvirt.call("read owner of domain " + name, c -> ownerOfDomain(c, name));
                if (owner.isPresent() && isOrphan.test(owner.get())) {
                    try {
                        LibvirtMachine.destroyDomain(libvirt, name);
                        reaped.add(
                                "libvirt domain " + name + " of " + owner.get().prefixPath() + " (pid "
                                        + owner.get().pid() + ")");
                    } catch (RuntimeException e) {
                        failure = Failures.add(failure, e); // reap the others (networks too), then report it
                    }
                }
            }
            for (String name : libvirt.call("list networks", LibvirtProvider::networkNames)) {
                Optional<Owner> owner = owners.ownerOfObject(name);
                if (owner.isPresent() && isOrphan.test(owner.get())) {
                    try {
                        LibvirtNetwork.destroy(libvirt, name);
                        reaped.add(
                                "libvirt network " + name + " of " + owner.get().prefixPath() + " (pid "
                                        + owner.get().pid() + ")");
                    } catch (RuntimeException e) {
                        failure = Failures.add(failure, e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure; // the engine's reaper then keeps the dead owners registered for the next attempt
        }
        return reaped;
    }

    /**
     * The owner of domain {@code name}; empty when it vanished since it was listed (another JVM tore its environment
     * down meanwhile), which must not stop the reaper from reaping everything else.
     */
    private static Optional<Owner> ownerOfDomain(org.libvirt.Connect c, String name) throws LibvirtException {
        try {
            return LibvirtMachine.owner(c.domainLookupByName(name));
        } catch (LibvirtException e) {
            if (domainNames(c).contains(name)) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /** Every domain, running or only defined; one that stops between the two listings is skipped. */
    static List<String> domainNames(org.libvirt.Connect c) throws LibvirtException {
        List<String> names = new ArrayList<>(List.of(c.listDefinedDomains()));
        for (int id : c.listDomains()) {
            try {
                Domain domain = c.domainLookupByID(id);
                names.add(domain.getName());
            } catch (LibvirtException goneMeanwhile) {
                // a domain that stopped between the two calls is no orphan of ours to worry about now
            }
        }
        return names;
    }

    /** Every network, active or only defined. */
    static List<String> networkNames(org.libvirt.Connect c) throws LibvirtException {
        List<String> names = new ArrayList<>(List.of(c.listNetworks()));
        names.addAll(List.of(c.listDefinedNetworks()));
        return names;
    }
}
