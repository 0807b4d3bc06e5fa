package io.testbed.provider.libvirt;

import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.machine.TransportMachine;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.ssh.SshKeys;
import io.testbed.core.ssh.SshTransport;
import io.testbed.images.QemuImg;
import io.testbed.images.SeedIso;
import io.testbed.images.Template;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/**
 * A libvirt domain: a qcow2 overlay on the template, optional data disks, a seed ISO with the machine's
 * identity, reached over SSH on its first NIC with a host key pinned before it boots.
 */
final class LibvirtMachine implements MachineResource {

    /** libvirt's VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | ..._NVRAM. */
    private static final int UNDEFINE_EVERYTHING = 1 | 2 | 4;
    /** libvirt's VIR_DOMAIN_METADATA_ELEMENT. */
    private static final int METADATA_ELEMENT = 2;
    /** libvirt's VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP. */
    private static final int MONITOR_HMP = 1;
    /** How long a reverted machine may take to answer SSH again. */
    private static final Duration REVERT_READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long one SSH readiness attempt may take before the console is checked again. */
    private static final Duration READY_SLICE = Duration.ofSeconds(5);

    private final LibvirtConnection libvirt;
    private final MachinePlan plan;
    private final Prefix prefix;
    private final Journal journal;
    private final List<Path> files;
    private final Path consoleLog;
    private final SshTransport transport;
    private volatile TransportMachine machine;

    private LibvirtMachine(
            LibvirtConnection libvirt,
            MachinePlan plan,
            Prefix prefix,
            Journal journal,
            List<Path> files,
            Path consoleLog,
            SshTransport transport) {
        this.libvirt = libvirt;
        this.plan = plan;
        this.prefix = prefix;
        this.journal = journal;
        this.files = files;
        this.consoleLog = consoleLog;
        this.transport = transport;
    }

    /**
     * Creates the disks, the seed and the domain definition (not started). Whatever was created is removed
     * again when a step fails. The first NIC on a NAT network gets the default route.
     */
    static LibvirtMachine create(
            LibvirtConnection libvirt,
            ProviderContext context,
            MachinePlan plan,
            Template template,
            String domainType) {
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
                            () -> QemuImg.overlay(template, overlay),
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
            String xml = DomainXml.render(new DomainXml.Domain(
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
                    consoleLog));
            Files.writeString(prefix.logsDir().resolve(name + "-domain.xml"), xml, StandardCharsets.UTF_8);
            context.journal()
                    .step(
                            "machine '" + name + "'",
                            "domain.define",
                            () -> libvirt.call("define domain " + plan.objectName(), c -> c.domainDefineXML(xml)),
                            (time, env, domain, took) ->
                                    new ResourceEvent.ProviderStep(time, env, name, "domain.define", took));
            NicPlan first = plan.nics().get(0);
            SshTransport transport = SshTransport.builder()
                    .host(first.address().getHostAddress())
                    .user("root")
                    .privateKey(SshKeys.read(prefix.keyFile()).privateKey())
                    .hostKey(seed.hostPublicKey())
                    .build();
            return new LibvirtMachine(libvirt, plan, prefix, context.journal(), files, consoleLog, transport);
        } catch (IOException | RuntimeException e) {
            destroyDomain(libvirt, plan.objectName());
            deleteAll(files);
            throw e instanceof RuntimeException re
                    ? re
                    : new TestbedException("Cannot create machine '" + name + "': " + e, e);
        }
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

    @Override
    public String providerId() {
        return plan.objectName();
    }

    private <T> T onDomain(String what, DomainCall<T> call) {
        return libvirt.call(what + " of " + plan.objectName(), c -> call.call(c.domainLookupByName(plan.objectName())));
    }

    private interface DomainCall<T> {
        T call(Domain domain) throws LibvirtException;
    }

    @Override
    public void start() {
        onDomain("start", Domain::create);
    }

    @Override
    public Machine awaitReady(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        while (true) {
            if (!isRunning()) {
                throw new TestbedException("machine '" + plan.name() + "' stopped while booting (QEMU exited or the"
                        + " guest powered off); see the console tail");
            }
            String console = consoleTail(200);
            if (console.contains("Kernel panic")) {
                // a panicking guest reboots into the same panic forever: fail now instead of at the boot timeout
                throw new TestbedException("machine '" + plan.name() + "' kernel panicked while booting (check the"
                        + " template and the " + LibvirtProvider.KERNEL_ARGS + " property); see the console tail");
            }
            if (deadline.expired()) {
                throw new TestbedException("machine '" + plan.name() + "' did not answer SSH on "
                        + plan.nics().get(0).address().getHostAddress() + ":22 within " + timeout.toSeconds()
                        + " s (testbed.boot.timeout); see the console tail");
            }
            try {
                transport.awaitReady(deadline.attemptTimeout(READY_SLICE));
                break;
            } catch (TestbedException notYet) {
                if (notYet instanceof io.testbed.core.ssh.HostKeyMismatchException) {
                    throw notYet;
                }
            }
        }
        Map<String, java.net.InetAddress> addresses = new LinkedHashMap<>();
        plan.nics().forEach(nic -> addresses.put(nic.network(), nic.address()));
        machine = TransportMachine.builder(plan.name(), transport)
                .roles(plan.spec().roles())
                .properties(plan.spec().properties())
                .addresses(addresses)
                .journal(journal)
                .build();
        return machine;
    }

    private boolean isRunning() {
        return onDomain(
                "read state",
                d -> d.isActive() == 1
                        && d.getInfo().state != DomainInfo.DomainState.VIR_DOMAIN_SHUTOFF
                        && d.getInfo().state != DomainInfo.DomainState.VIR_DOMAIN_CRASHED);
    }

    /** An internal live snapshot of memory and disks, taken by libvirt (QEMU's savevm). */
    @Override
    public void snapshot(String name) {
        String xml = new Xml("domainsnapshot").text("name", name).render();
        onDomain("take snapshot '" + name + "'", d -> d.snapshotCreateXML(xml));
    }

    /**
     * Reverts in place with QEMU's {@code loadvm} through the monitor: libvirt's own revert restarts QEMU (≈ 3.7 s
     * here), loadvm does not (≈ 0.6 s). The guest's TCP state is from snapshot time, so SSH reconnects.
     */
    @Override
    public void revert(String name) {
        String output =
                onDomain("revert to snapshot '" + name + "'", d -> d.qemuMonitorCommand("loadvm " + name, MONITOR_HMP));
        if (output != null && !output.isBlank()) {
            throw new TestbedException(
                    "QEMU could not load snapshot '" + name + "' of machine '" + plan.name() + "': " + output.strip());
        }
        transport.dropConnection();
        transport.awaitReady(REVERT_READY_TIMEOUT);
    }

    @Override
    public void deleteSnapshot(String name) {
        onDomain(
                "delete snapshot '" + name + "'",
                d -> d.snapshotLookupByName(name).delete(0));
    }

    @Override
    public void pause() {
        onDomain("pause", d -> {
            d.suspend();
            return null;
        });
    }

    @Override
    public void resume() {
        onDomain("resume", d -> {
            d.resume();
            return null;
        });
    }

    @Override
    public void stop() {
        onDomain("stop", d -> {
            if (d.isActive() == 1) {
                d.destroy();
            }
            return null;
        });
    }

    @Override
    public void destroy() {
        TransportMachine live = machine;
        if (live != null) {
            live.close();
        } else {
            transport.close();
        }
        destroyDomain(libvirt, plan.objectName());
        deleteAll(files);
    }

    @Override
    public String consoleTail(int lines) {
        try {
            if (!Files.exists(consoleLog)) {
                return "(no console output: " + consoleLog + " does not exist)";
            }
            List<String> all = Files.readAllLines(consoleLog, StandardCharsets.ISO_8859_1);
            if (all.stream().allMatch(String::isBlank)) {
                return "(the guest printed nothing on its serial console " + consoleLog + ")";
            }
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(console log " + consoleLog + " unreadable: " + e + ")";
        }
    }

    /** Destroys (if running) and undefines a domain with its snapshot metadata; nothing when it is gone. */
    static void destroyDomain(LibvirtConnection libvirt, String name) {
        libvirt.call("destroy domain " + name, c -> {
            Domain domain;
            try {
                domain = c.domainLookupByName(name);
            } catch (LibvirtException gone) {
                return null;
            }
            if (domain.isActive() == 1) {
                domain.destroy();
            }
            domain.undefine(UNDEFINE_EVERYTHING);
            return null;
        });
    }

    /** The owner label Testbed wrote into a domain's metadata, if any. */
    static Optional<Owner> owner(Domain domain) throws LibvirtException {
        String xml;
        try {
            xml = domain.getMetadata(METADATA_ELEMENT, DomainXml.OWNER_NS, 0);
        } catch (LibvirtException noMetadata) {
            return Optional.empty();
        }
        try {
            Element owner = DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(new InputSource(new StringReader(xml)))
                    .getDocumentElement();
            return Optional.of(new Owner(
                    owner.getAttribute("prefix"),
                    owner.getAttribute("path"),
                    Long.parseLong(owner.getAttribute("pid"))));
        } catch (Exception malformed) {
            return Optional.empty();
        }
    }

    private static void deleteAll(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the prefix's disks directory is deleted as a whole after a clean teardown
            }
        }
    }
}
