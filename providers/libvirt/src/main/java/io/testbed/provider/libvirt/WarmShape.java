package io.testbed.provider.libvirt;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import io.testbed.images.Template;
import io.testbed.images.TemplateStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that shapes a warm image, so that a machine is only ever restored from memory saved under the same
 * conditions: the template (its content address), the machine's memory, vCPUs and NICs (count and MTUs), the
 * accelerator, the QEMU and libvirt versions (machine type and device models follow from them), the host CPU under
 * KVM, and the domain document's device part itself: a canonical domain rendered by {@link DomainXml} with
 * placeholder names and paths, so any change to the devices Testbed declares changes the key.
 *
 * @param template   the template the image boots (a built template)
 * @param memoryMb   guest memory
 * @param cpus       vCPUs
 * @param nicMtus    one entry per NIC, in order: its MTU, 0 for the default
 * @param domainType {@code qemu} (TCG) or {@code kvm}
 * @param host       the QEMU and libvirt versions and, under KVM, the host CPU model
 */
record WarmShape(Template template, int memoryMb, int cpus, List<Integer> nicMtus, String domainType, String host) {

    /**
     * Bump when the build or restore procedure changes in a way the inputs above do not show (snapshot name,
     * placeholder seed disk, channel protocol).
     */
    static final String FORMAT = "warm-1";

    WarmShape {
        nicMtus = List.copyOf(nicMtus);
    }

    /** The shape of a planned machine. */
    static WarmShape of(Template template, MachinePlan plan, String domainType, String host) {
        return new WarmShape(
                template,
                plan.spec().memoryMb(),
                plan.spec().cpus(),
                plan.nics().stream().map(NicPlan::mtu).toList(),
                domainType,
                host);
    }

    /**
     * Why a planned machine cannot start from a warm image (it boots cold), or empty when it can: warm start
     * switched off, a template other than the built tiny one, data disks or extra kernel arguments (the image has
     * neither), a remote libvirt (the identity channel is a local socket).
     */
    static Optional<String> whyCold(MachinePlan plan, Template template, Map<String, String> configuration) {
        TestbedConfig config = TestbedConfig.of(configuration);
        if (!config.warmStart()) {
            return Optional.of(TestbedConfig.WARM_START + " is false");
        }
        if (!template.name().equals(TemplateStore.TINY) || template.kind() != Template.Kind.BUILT) {
            return Optional.of(
                    "template " + template.name() + " has no warm image (only " + TemplateStore.TINY + " has)");
        }
        if (!plan.spec().disks().isEmpty()) {
            return Optional.of("it has data disks (" + plan.spec().disks().size()
                    + "), which the warm image's device layout lacks");
        }
        if (!plan.spec()
                .properties()
                .getOrDefault(LibvirtProvider.KERNEL_ARGS, "")
                .isBlank()) {
            return Optional.of("its kernel arguments (" + LibvirtProvider.KERNEL_ARGS + ") only apply to a boot");
        }
        if (LibvirtConnection.remoteHost(config.libvirtUri()) != null) {
            return Optional.of(
                    "libvirt at " + config.libvirtUri() + " is remote and the identity channel is a" + " local socket");
        }
        return Optional.empty();
    }

    /** One fact per line, hashed into {@link #key()} and kept in the image's manifest for diagnosis. */
    String canonicalText() {
        return "format " + FORMAT + "\n"
                + "template " + template.name() + " " + template.manifest().key() + "\n"
                + "memory-mib " + memoryMb + "\n"
                + "cpus " + cpus + "\n"
                + "nic-mtus " + nicMtus + "\n"
                + "domain-type " + domainType + "\n"
                + "host " + host + "\n"
                + "domain " + DomainXml.render(canonicalDomain()) + "\n";
    }

    /** The image's content address: lower-case hex SHA-256 of {@link #canonicalText()}. */
    String key() {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(canonicalText().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** A domain of this shape with placeholder names and paths: what the key sees of the domain document. */
    private DomainXml.Domain canonicalDomain() {
        List<NicPlan> nics = new ArrayList<>();
        for (int i = 0; i < nicMtus.size(); i++) {
            nics.add(placeholderNic(i, nicMtus.get(i)));
        }
        Path dir = Path.of("/warm");
        return new DomainXml.Domain(
                "tb-warm",
                domainType,
                memoryMb,
                cpus,
                new Owner("warm", "/warm", 0),
                Optional.of(new DomainXml.KernelBoot(
                        dir.resolve("vmlinuz"),
                        dir.resolve("initrd.img"),
                        template.kernelCommandLine().orElse(""))),
                List.of(
                        new DomainXml.DiskDevice(dir.resolve("overlay.qcow2"), "qcow2", false, true),
                        new DomainXml.DiskDevice(dir.resolve("seed"), "raw", true, false)),
                nics,
                dir.resolve("console.log"),
                true);
    }

    /** NIC {@code index} of the image's build domain: a MAC of its own, on a network named by the caller. */
    static NicPlan placeholderNic(int index, int mtu) {
        try {
            return new NicPlan(
                    "warm",
                    "warm",
                    "warm",
                    String.format("52:54:00:fe:00:%02x", index),
                    InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, (byte) (2 + index)}),
                    24,
                    InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, 1}),
                    mtu,
                    NetworkMode.ISOLATED);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
