package io.testbed.provider.libvirt;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import io.testbed.images.KvmProbe;
import io.testbed.images.Template;
import io.testbed.images.TemplateException;
import io.testbed.images.TemplateStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** One environment's libvirt connection, template store and accelerator choice. Thread-safe. */
final class LibvirtSession implements ProviderSession {

    /** How long the KVM probe may take before KVM counts as hanging. */
    private static final Duration KVM_PROBE_TIMEOUT = Duration.ofSeconds(20);

    private final ProviderContext context;
    private final LibvirtConnection libvirt;
    private final TemplateStore templates;
    private final KvmProbe probe;
    private final Map<String, Template> resolved = new ConcurrentHashMap<>();
    /** What the KVM probe's progress lines begin with; the rest of its last verdict line is the accelerator's reason. */
    private static final String KVM_PROBE_PREFIX = "KVM probe: ";
    /** The KVM probe's last verdict (missing device, cached answer, answered or not), without the prefix. */
    private volatile String kvmVerdict;

    private final Map<String, String> domainTypes = new ConcurrentHashMap<>();
    /** The warm images this session resolved, by shape key. */
    private final Map<String, WarmImage> warmImages = new ConcurrentHashMap<>();

    private volatile String hostVersions;
    /** Room for the environment's data disks, promised before a machine's files are created. */
    private final DiskSpace diskSpace = new DiskSpace();

    LibvirtSession(ProviderContext context) {
        this.context = context;
        this.libvirt =
                LibvirtConnection.open(TestbedConfig.of(context.configuration()).libvirtUri());
        this.templates = LibvirtProvider.templates(
                context.configuration(),
                line -> context.journal().record((time, env) -> new HostEvent.TemplateProgress(time, env, line)));
        this.probe = new KvmProbe(
                line -> {
                    if (line.startsWith(KVM_PROBE_PREFIX)
                            && !line.contains("cannot remember")
                            && !line.contains("ignoring")) {
                        kvmVerdict = line.substring(KVM_PROBE_PREFIX.length());
                    }
                    context.journal().record((time, env) -> new HostEvent.KvmProbeProgress(time, env, line));
                },
                templates.root());
    }

    @Override
    public NetworkResource createNetwork(NetworkPlan plan) {
        return LibvirtNetwork.create(libvirt, plan, context.prefix().name());
    }

    @Override
    public MachineResource createMachine(MachinePlan plan) {
        diskSpace.reserve(plan, context.prefix().disksDir());
        try {
            Template template = template(plan);
            String type = domainType(template);
            return LibvirtMachine.create(libvirt, context, plan, template, type, warmStart(plan, template, type));
        } catch (RuntimeException e) {
            diskSpace.release(plan);
            throw e;
        }
    }

    /** The machine's template; one that cannot be used fails naming the machine and its template. */
    private Template template(MachinePlan plan) {
        String name = LibvirtProvider.template(plan.spec(), context.configuration());
        try {
            return template(name);
        } catch (TemplateException e) {
            throw new TemplateException(
                    "machine '" + plan.name() + "' cannot use its template '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * The warm image a machine starts from (built now when its shape has none yet), or null when it boots cold:
     * either way the choice and its reason are journaled. A warm image that cannot be built means a cold boot.
     */
    private WarmRestore.Source warmStart(MachinePlan plan, Template template, String type) {
        Optional<String> whyCold = WarmShape.whyCold(plan, template, context.configuration());
        if (whyCold.isPresent()) {
            chosen(plan, ResourceEvent.StartMethod.COLD, whyCold.get());
            return null;
        }
        WarmShape shape = WarmShape.of(template, plan, type, hostVersions());
        WarmImages store = new WarmImages(
                templates.root(),
                template.name(),
                TestbedConfig.of(context.configuration()).warmImageUnused(),
                this::templateProgress);
        Consumer<String> discarded = reason -> context.journal()
                .record((time, env) -> new HostEvent.WarmImageDiscarded(
                        time,
                        env,
                        template.name(),
                        WarmImages.directoryOf(templates.root(), template.name())
                                .resolve(shape.key())
                                .toString(),
                        reason));
        WarmImage image;
        try {
            WarmImage resolved = resolveImage(shape, plan, store, discarded);
            if (!WarmImagePruning.markUsed(resolved)) {
                // pruned or discarded by another JVM since this session resolved it: resolve (build) it again
                warmImages.remove(shape.key(), resolved);
                resolved = resolveImage(shape, plan, store, discarded);
                WarmImagePruning.markUsed(resolved);
            }
            image = resolved;
        } catch (RuntimeException e) {
            chosen(plan, ResourceEvent.StartMethod.COLD, "its warm image could not be built: " + e.getMessage());
            return null;
        }
        chosen(
                plan,
                ResourceEvent.StartMethod.WARM,
                "restored from the warm image "
                        + image.directory().getFileName().toString().substring(0, 12) + " of template "
                        + template.name());
        return new WarmRestore.Source(image, reason -> {
            warmImages.remove(shape.key(), image);
            store.discard(image, reason, discarded);
        });
    }

    /** The image of {@code shape}, resolved (verified, built when missing) once per session. */
    private WarmImage resolveImage(WarmShape shape, MachinePlan plan, WarmImages store, Consumer<String> discarded) {
        return warmImages.computeIfAbsent(shape.key(), key -> {
            WarmImages.Resolved resolved = store.resolve(
                    shape,
                    new WarmImageBuild(
                            libvirt,
                            shape,
                            plan.nics(),
                            context.owner(),
                            TestbedConfig.of(context.configuration()).bootTimeout(),
                            this::templateProgress),
                    discarded);
            context.journal()
                    .record((time, env) -> new HostEvent.WarmImageResolved(
                            time,
                            env,
                            shape.template().name(),
                            resolved.image().directory().toString(),
                            resolved.built(),
                            resolved.duration()));
            return resolved.image();
        });
    }

    private void chosen(MachinePlan plan, ResourceEvent.StartMethod method, String reason) {
        context.journal().record((time, env) -> new ResourceEvent.StartChosen(time, env, plan.name(), method, reason));
    }

    private void templateProgress(String line) {
        context.journal().record((time, env) -> new HostEvent.TemplateProgress(time, env, line));
    }

    /** QEMU's and libvirt's versions, and under KVM the host CPU: what the warm image's key needs of the host. */
    private String hostVersions() {
        if (hostVersions == null) {
            hostVersions = libvirt.call(
                    "read the hypervisor's version",
                    c -> "qemu " + c.getVersion() + " libvirt " + c.getLibVirVersion() + " cpu " + cpuModel());
        }
        return hostVersions;
    }

    private static String cpuModel() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .orElse("unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Resolves (building on first use) a template once per session. */
    private Template template(String name) {
        return resolved.computeIfAbsent(
                name,
                n -> context.journal()
                        .step(
                                "template " + n,
                                "template.resolve",
                                () -> templates.resolve(n),
                                (time, env, template, took) -> new HostEvent.TemplateResolved(
                                        time,
                                        env,
                                        n,
                                        template.disk().toString(),
                                        template.manifest().builtAt(),
                                        took)));
    }

    /**
     * {@code kvm} only when a real probe boot of this template answered under KVM, else {@code qemu} (TCG); the
     * choice is journaled so reports can say which one ran.
     */
    private String domainType(Template template) {
        return domainTypes.computeIfAbsent(template.disk().toString(), disk -> {
            boolean kvm = template.bootsFromKernel() && probe.kvmUsable(template, KVM_PROBE_TIMEOUT);
            String type = kvm ? "kvm" : "qemu";
            // one reason: the probe's own verdict (it knows whether /dev/kvm is missing or the guest hung)
            String reason = !template.bootsFromKernel()
                    ? "no probe for image templates"
                    : kvmVerdict != null
                            ? kvmVerdict.replaceAll("; using TCG$", "")
                            : kvm ? "KVM probe boot answered" : "KVM probe boot did not answer in time";
            context.journal()
                    .record((time, env) -> new HostEvent.AcceleratorChosen(
                            time,
                            env,
                            template.name(),
                            kvm ? HostEvent.Accelerator.KVM : HostEvent.Accelerator.TCG,
                            reason));
            return type;
        });
    }

    @Override
    public void close() {
        libvirt.close();
    }
}
