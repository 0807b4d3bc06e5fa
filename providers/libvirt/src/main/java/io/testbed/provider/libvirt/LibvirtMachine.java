package io.testbed.provider.libvirt;

import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.machine.TransportMachine;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.ProviderContext;
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
import java.time.Instant;
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
    /** What SeaBIOS prints on the serial console when no disk has a boot loader. */
    static final String NO_BOOTABLE_DEVICE = "No bootable device";

    private final LibvirtConnection libvirt;
    private final MachinePlan plan;
    private final Prefix prefix;
    private final Journal journal;
    private final List<Path> files;
    private final Path consoleLog;
    private final SshTransport transport;
    private final Template template;
    private final SeedIso seed;
    private volatile TransportMachine machine;
    /** The domain document as defined; redefined without the identity channel when a warm start falls back. */
    private volatile DomainXml.Domain document;
    /** The warm image to restore at {@link #start()}, null for a cold boot (or once started). */
    private volatile WarmRestore.Source warm;
    /** Whether the overlay still holds the warm image's snapshot, dropped before the machine's first own one. */
    private volatile boolean inheritedSnapshot;

    private LibvirtMachine(
            LibvirtConnection libvirt,
            MachinePlan plan,
            Prefix prefix,
            Journal journal,
            Template template,
            MachineSetup setup,
            WarmRestore.Source warm) {
        this.libvirt = libvirt;
        this.plan = plan;
        this.prefix = prefix;
        this.journal = journal;
        this.files = setup.files();
        this.consoleLog = setup.consoleLog();
        this.transport = setup.transport();
        this.template = template;
        this.seed = setup.seed();
        this.document = setup.document();
        this.warm = warm;
    }

    /**
     * Creates the disks, the seed and the domain definition (not started); see {@link MachineSetup}. With {@code warm}
     * (null for a cold boot) the machine starts from that warm image.
     */
    static LibvirtMachine create(
            LibvirtConnection libvirt,
            ProviderContext context,
            MachinePlan plan,
            Template template,
            String domainType,
            WarmRestore.Source warm) {
        MachineSetup setup = MachineSetup.create(libvirt, context, plan, template, domainType, warm);
        return new LibvirtMachine(libvirt, plan, context.prefix(), context.journal(), template, setup, warm);
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

    /**
     * Boots the domain, or restores it from its warm image; a restore that fails falls back to a cold boot on a
     * fresh overlay (and discards the image when QEMU refused it), journaling why.
     */
    @Override
    public void start() {
        WarmRestore.Source source = warm;
        warm = null;
        if (source != null) {
            Instant begin = journal.now();
            try {
                WarmRestore.restore(libvirt, plan.objectName(), IdentityChannel.identity(seed, begin));
                inheritedSnapshot = true;
                journal.record((time, env) -> new ResourceEvent.ProviderStep(
                        time, env, plan.name(), "warm.restore", Duration.between(begin, time)));
                return;
            } catch (RuntimeException e) {
                String reason = "restoring the warm image failed (" + e.getMessage() + ")";
                journal.record((time, env) ->
                        new ResourceEvent.StartChosen(time, env, plan.name(), ResourceEvent.StartMethod.COLD, reason));
                if (e instanceof WarmRestore.ImageRefused) {
                    source.discard().accept(reason);
                }
                bootColdInstead();
            }
        }
        onDomain("start", Domain::create);
    }

    /** Replaces the warm domain and its overlay by a cold one's. */
    private void bootColdInstead() {
        destroyDomain(libvirt, plan.objectName());
        Path overlay = prefix.disksDir().resolve(plan.name() + ".qcow2");
        try {
            Files.deleteIfExists(overlay);
            QemuImg.overlay(template, overlay);
            document = document.withIdentityChannel(false);
            MachineSetup.define(libvirt, journal, prefix, plan, document);
        } catch (IOException e) {
            throw new TestbedException("Cannot prepare machine '" + plan.name() + "' for a cold boot: " + e, e);
        }
    }

    @Override
    public Machine awaitReady(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                // the engine stops a sibling's wait when another machine failed: end it, do not spin to the timeout
                throw new TestbedException("machine '" + plan.name() + "' stopped waiting for its boot: interrupted");
            }
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
            if (console.contains(NO_BOOTABLE_DEVICE)) {
                // SeaBIOS retries every minute forever: an image without a boot loader never boots, so fail now
                throw new TestbedException("machine '" + plan.name() + "' did not boot: the firmware found no"
                        + " bootable disk ('" + NO_BOOTABLE_DEVICE + "'), so its template '" + template.name()
                        + "' is not a bootable disk image (no boot loader: a file system or a container image, say,"
                        + " or not an image at all); see the console tail");
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
        if (inheritedSnapshot) {
            WarmRestore.dropInheritedSnapshot(libvirt, plan.objectName());
            inheritedSnapshot = false;
        }
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
        MachineSetup.deleteAll(files);
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

    /**
     * Destroys (if running) and undefines (if persistent) a domain with its snapshot metadata; nothing when it is
     * gone.
     */
    static void destroyDomain(LibvirtConnection libvirt, String name) {
        libvirt.call("destroy domain " + name, c -> {
            Domain domain;
            try {
                domain = c.domainLookupByName(name);
            } catch (LibvirtException e) {
                if (LibvirtConnection.notFound(e)) {
                    return null; // gone already
                }
                throw e; // e.g. libvirtd stopped answering: the object may well still be there
            }
            // a transient domain (a warm image's build) is gone once destroyed: nothing to undefine
            boolean persistent = domain.isPersistent() == 1;
            if (domain.isActive() == 1) {
                try {
                    domain.destroy();
                } catch (LibvirtException stoppedMeanwhile) {
                    // QEMU exited, or another JVM's reaper destroyed it, since isActive(): fine unless still running
                    if (isStillActive(domain)) {
                        throw stoppedMeanwhile;
                    }
                }
            }
            if (persistent) {
                try {
                    domain.undefine(UNDEFINE_EVERYTHING);
                } catch (LibvirtException e) {
                    if (List.of(c.listDefinedDomains()).contains(name)) {
                        throw e; // still defined: a real failure, not a concurrent reaper's undefine
                    }
                }
            }
            return null;
        });
    }

    private static boolean isStillActive(Domain domain) {
        try {
            return domain.isActive() == 1;
        } catch (LibvirtException gone) {
            return false;
        }
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
}
