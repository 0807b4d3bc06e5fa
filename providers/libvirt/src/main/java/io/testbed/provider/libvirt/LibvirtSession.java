package io.testbed.provider.libvirt;

import io.testbed.core.config.TestbedConfig;
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
    private final Map<String, String> domainTypes = new ConcurrentHashMap<>();

    LibvirtSession(ProviderContext context) {
        this.context = context;
        this.libvirt = LibvirtConnection.open(TestbedConfig.of(context.configuration()).libvirtUri());
        this.templates = LibvirtProvider.templates(context.configuration(),
                line -> context.journal().record("template", "template store", "progress", Map.of("line", line)));
        this.probe = new KvmProbe(line -> context.journal().record("kvm.probe", "host", "progress",
                Map.of("line", line)), templates.root());
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
        return resolved.computeIfAbsent(name, n -> context.journal().step("template.resolve", "template " + n,
                () -> templates.resolve(n)));
    }

    /**
     * {@code kvm} only when a real probe boot of this template answered under KVM, else {@code qemu} (TCG); the
     * choice is journaled so reports can say which one ran.
     */
    private String domainType(Template template) {
        return domainTypes.computeIfAbsent(template.disk().toString(), disk -> {
            boolean kvm = template.bootsFromKernel() && probe.kvmUsable(template, KVM_PROBE_TIMEOUT);
            String type = kvm ? "kvm" : "qemu";
            context.journal().record("accelerator", "template " + template.name(), type,
                    Map.of("reason", kvm ? "KVM probe boot answered" : template.bootsFromKernel()
                            ? "KVM probe boot did not answer in time (KVM unusable here); using TCG"
                            : "no probe for image templates; using TCG"));
            return type;
        });
    }

    @Override
    public void close() {
        libvirt.close();
    }
}
