package io.testbed.provider.libvirt;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import io.testbed.images.KvmProbe;
import io.testbed.images.Template;
import io.testbed.images.TemplateStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
        Template template = template(LibvirtProvider.template(plan.spec(), context.configuration()));
        return LibvirtMachine.create(libvirt, context, plan, template, domainType(template));
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
