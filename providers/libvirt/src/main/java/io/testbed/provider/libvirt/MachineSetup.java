package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.ssh.SshKeys;
import io.testbed.core.ssh.SshTransport;
import io.testbed.images.QemuImg;
import io.testbed.images.SeedIso;
import io.testbed.images.Template;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a libvirt machine is made of before it starts: its files (overlay, data disks, seed ISO), the SSH transport
 * with the host key pinned, the seed, and the domain document as defined.
 *
 * @param files      every file created for the machine, deleted when it is destroyed
 * @param consoleLog the serial console's log
 * @param transport  SSH to its first NIC, host key pinned
 * @param seed       its identity (on the seed ISO, and handed over after a warm restore)
 * @param document   the domain document libvirt has defined
 */
record MachineSetup(
        List<Path> files, Path consoleLog, SshTransport transport, SeedIso seed, DomainXml.Domain document) {

    /**
     * Creates the disks, the seed and the domain definition (not started). Whatever was created is removed
     * again when a step fails. The first NIC on a NAT network gets the default route. With {@code warm}, the overlay
     * is a copy of the warm image's and the domain has the identity channel; the seed is written all the same, for a
     * reboot of the machine.
     */
    static MachineSetup create(
            LibvirtConnection libvirt,
            ProviderContext context,
            MachinePlan plan,
            Template template,
            String domainType,
            WarmRestore.Source warm) {
        Prefix prefix = context.prefix();
        String name = plan.name();
        List<Path> files = new ArrayList<>();
        try {
            Path disks = prefix.disksDir();
            Path overlay = disks.resolve(name + ".qcow2");
            context.journal()
                    .runStep(
                            "machine '" + name + "'",
                            "disk.overlay",
                            () -> {
                                if (warm != null) {
                                    WarmImages.copyOverlay(warm.image(), overlay);
                                } else {
                                    QemuImg.overlay(template, overlay);
                                }
                            },
                            (time, env, none, took) ->
                                    new ResourceEvent.ProviderStep(time, env, name, "disk.overlay", took));
            files.add(overlay);
            List<DomainXml.DiskDevice> devices = new ArrayList<>();
            devices.add(new DomainXml.DiskDevice(overlay, "qcow2", false, true));
            for (DiskSpec disk : plan.spec().disks()) {
                Path file = disks.resolve(name + "-" + disk.name() + ".qcow2");
                QemuImg.empty(file, disk.sizeMb());
                files.add(file);
                devices.add(new DomainXml.DiskDevice(file, "qcow2", false, true));
            }
            SshKeys.KeyFiles hostKey =
                    SshKeys.generate(LibvirtProvider.hostKeyFile(prefix.dir(), name), "testbed-host-" + name);
            List<SeedIso.Nic> nics = new ArrayList<>();
            boolean routed = false;
            for (NicPlan nic : plan.nics()) {
                boolean defaultRoute = !routed && nic.nat();
                routed |= defaultRoute;
                nics.add(SeedIso.Nic.of(nic, defaultRoute));
            }
            SeedIso seed = SeedIso.builder()
                    .hostname(name)
                    .authorizedKey(SshKeys.read(prefix.keyFile()).publicLine())
                    .hostKey(hostKey)
                    .nics(nics)
                    .dnsServers(plan.nics().stream()
                            .map(NicPlan::gateway)
                            .distinct()
                            .toList())
                    .build();
            Path seedIso = context.journal()
                    .step(
                            "machine '" + name + "'",
                            "disk.seed",
                            () -> seed.writeIso(disks.resolve(name + "-seed.iso")),
                            (time, env, iso, took) ->
                                    new ResourceEvent.ProviderStep(time, env, name, "disk.seed", took));
            files.add(seedIso);
            devices.add(new DomainXml.DiskDevice(seedIso, "raw", true, false));
            Path consoleLog = prefix.consoleLog(name);
            DomainXml.Domain document = new DomainXml.Domain(
                    plan.objectName(),
                    domainType,
                    plan.spec().memoryMb(),
                    plan.spec().cpus(),
                    context.owner(),
                    template.kernel()
                            .map(kernel -> new DomainXml.KernelBoot(
                                    kernel, template.initrd().orElseThrow(), kernelCommandLine(template, plan))),
                    devices,
                    plan.nics(),
                    consoleLog,
                    warm != null);
            define(libvirt, context.journal(), prefix, plan, document);
            NicPlan first = plan.nics().get(0);
            SshTransport transport = SshTransport.builder()
                    .host(first.address().getHostAddress())
                    .user("root")
                    .privateKey(SshKeys.read(prefix.keyFile()).privateKey())
                    .hostKey(seed.hostPublicKey())
                    .build();
            return new MachineSetup(files, consoleLog, transport, seed, document);
        } catch (IOException | RuntimeException e) {
            LibvirtMachine.destroyDomain(libvirt, plan.objectName());
            deleteAll(files);
            throw e instanceof RuntimeException re
                    ? re
                    : new TestbedException("Cannot create machine '" + name + "': " + e, e);
        }
    }

    /** Writes the document to the prefix's logs and defines the domain. */
    static void define(
            LibvirtConnection libvirt, Journal journal, Prefix prefix, MachinePlan plan, DomainXml.Domain document)
            throws IOException {
        String xml = DomainXml.render(document);
        Files.writeString(prefix.logsDir().resolve(plan.name() + "-domain.xml"), xml, StandardCharsets.UTF_8);
        journal.step(
                "machine '" + plan.name() + "'",
                "domain.define",
                () -> libvirt.call("define domain " + plan.objectName(), c -> c.domainDefineXML(xml)),
                (time, env, domain, took) ->
                        new ResourceEvent.ProviderStep(time, env, plan.name(), "domain.define", took));
    }

    /** The template's command line plus the machine's {@value LibvirtProvider#KERNEL_ARGS} property. */
    private static String kernelCommandLine(Template template, MachinePlan plan) {
        String extra = plan.spec()
                .properties()
                .getOrDefault(LibvirtProvider.KERNEL_ARGS, "")
                .strip();
        String base = template.kernelCommandLine().orElseThrow();
        return extra.isEmpty() ? base : base + " " + extra;
    }

    /** Deletes files, ignoring failures (the prefix's disks directory goes as a whole after a clean teardown). */
    static void deleteAll(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the prefix's disks directory is deleted as a whole after a clean teardown
            }
        }
    }
}
