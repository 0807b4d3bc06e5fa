package io.testbed.provider.libvirt;

import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The libvirt domain document of a planned machine. */
final class DomainXml {

    /** The namespace of Testbed's owner label in domain metadata, read back by the reaper. */
    static final String OWNER_NS = "https://testbed.io/xmlns/owner/1";

    /** libvirt's QEMU namespace for per-domain overrides of the QEMU driver. */
    static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";

    /**
     * The QEMU capability every domain masks: with it, libvirt reads the started guest CPU back one feature at a
     * time (see {@link #render}).
     */
    static final String SLOW_CPU_READBACK_CAPABILITY = "cpu-unavailable-features";

    /**
     * The name of the virtio-serial port over which a machine restored from a warm image receives its identity (the
     * tiny template's {@code rcS} waits on it when it finds no seed).
     */
    static final String IDENTITY_CHANNEL = "io.testbed.identity";

    private DomainXml() {}

    /** A disk of the domain. */
    record DiskDevice(Path file, String format, boolean readOnly, boolean snapshots) {}

    /** A direct kernel boot (templates with their own kernel and initrd). */
    record KernelBoot(Path kernel, Path initrd, String cmdline) {}

    /**
     * Everything the document needs.
     *
     * @param name       the domain name
     * @param type       {@code kvm} or {@code qemu} (TCG)
     * @param owner      written into the metadata for the reaper
     * @param kernelBoot direct kernel boot, or empty to boot from the first disk
     * @param disks      in guest order (vda, vdb, …)
     * @param nics       in NIC order
     * @param consoleLog the serial console log file (appended, so a revert that restarts QEMU keeps it)
     * @param identityChannel whether the domain has the virtio-serial port {@value #IDENTITY_CHANNEL} on a UNIX socket
     *                   libvirt places (warm images and the machines restored from them)
     */
    record Domain(
            String name,
            String type,
            int memoryMb,
            int cpus,
            Owner owner,
            Optional<KernelBoot> kernelBoot,
            List<DiskDevice> disks,
            List<NicPlan> nics,
            Path consoleLog,
            boolean identityChannel) {

        /** This domain with or without the identity channel. */
        Domain withIdentityChannel(boolean channel) {
            return new Domain(name, type, memoryMb, cpus, owner, kernelBoot, disks, nics, consoleLog, channel);
        }
    }

    static String render(Domain d) {
        Xml xml = new Xml("domain", "type", d.type());
        xml.text("name", d.name());
        xml.open("metadata")
                .openNs(
                        "tb",
                        "owner",
                        OWNER_NS,
                        "prefix",
                        d.owner().prefixId(),
                        "path",
                        d.owner().prefixPath(),
                        "pid",
                        String.valueOf(d.owner().pid()))
                .close()
                .close();
        xml.text("memory", String.valueOf(d.memoryMb()), "unit", "MiB");
        xml.text("vcpu", String.valueOf(d.cpus()));
        xml.open("os").text("type", "hvm", "arch", "x86_64", "machine", "pc");
        d.kernelBoot()
                .ifPresentOrElse(
                        k -> {
                            xml.text("kernel", k.kernel().toString());
                            xml.text("initrd", k.initrd().toString());
                            xml.text("cmdline", k.cmdline());
                        },
                        () -> {
                            xml.empty("boot", "dev", "hd");
                            // SeaBIOS on the serial console, so "No bootable device" and boot-loader errors reach the
                            // console log
                            xml.empty("bios", "useserial", "yes");
                        });
        xml.close();
        xml.open("features").empty("acpi").close();
        if (d.type().equals("kvm")) {
            xml.empty("cpu", "mode", "host-passthrough");
        }
        xml.empty("clock", "offset", "utc");
        xml.text("on_poweroff", "destroy").text("on_reboot", "restart").text("on_crash", "destroy");
        xml.open("devices");
        char letter = 'a';
        for (DiskDevice disk : d.disks()) {
            if (disk.snapshots()) {
                xml.open("disk", "type", "file", "device", "disk");
            } else {
                xml.open("disk", "type", "file", "device", "disk", "snapshot", "no");
            }
            // cache=unsafe: test machines never need data to survive a host crash, and it halves write latency.
            xml.empty(
                    "driver",
                    "name",
                    "qemu",
                    "type",
                    disk.format(),
                    "cache",
                    disk.readOnly() ? "none" : "unsafe",
                    "discard",
                    "unmap");
            xml.empty("source", "file", disk.file().toString());
            xml.empty("target", "dev", "vd" + letter++, "bus", "virtio");
            if (disk.readOnly()) {
                xml.empty("readonly");
            }
            xml.close();
        }
        for (NicPlan nic : d.nics()) {
            xml.open("interface", "type", "network")
                    .empty("source", "network", nic.networkObject())
                    .empty("mac", "address", nic.mac())
                    .empty("model", "type", "virtio");
            if (nic.mtu() > 0) {
                xml.empty("mtu", "size", String.valueOf(nic.mtu()));
            }
            xml.close();
        }
        xml.open("serial", "type", "pty")
                .empty("log", "file", d.consoleLog().toString(), "append", "on")
                .empty("target", "port", "0")
                .close();
        xml.open("console", "type", "pty")
                .empty("target", "type", "serial", "port", "0")
                .close();
        if (d.identityChannel()) {
            // no source path: libvirt puts the socket in its own channel directory (short enough for a UNIX socket
            // path, reachable by QEMU's user); the live XML names it
            xml.open("channel", "type", "unix")
                    .empty("source", "mode", "bind")
                    .empty("target", "type", "virtio", "name", IDENTITY_CHANNEL)
                    .close();
        }
        xml.empty("controller", "type", "usb", "model", "none");
        xml.empty("memballoon", "model", "none");
        xml.open("rng", "model", "virtio")
                .text("backend", "/dev/urandom", "model", "random")
                .close();
        xml.close();
        // Why: after QEMU starts, libvirt reads the guest CPU back to check it. With QEMU's capability
        // "cpu-unavailable-features" (every QEMU since 2.9) libvirt 9.0 does it generically: one qom-list and a qom-get
        // per CPU property, ~400 monitor round trips. Measured on the 2-core TCG host (libvirtd debug log, phase
        // "Verifying and updating provided guest CPU"): 264 ms of the 423 ms that virDomainCreate took. Masked,
        // libvirt takes its x86 path and reads the same enabled and filtered feature words with two qom-get calls.
        // The QEMU command line (so the guest's CPU) is unchanged, compared from the domain log; libvirt only marks the
        // domain tainted "custom-hypervisor-feature". `virsh start` of this document, median of 7: 519 -> 189 ms.
        xml.openNs("qemu", "capabilities", QEMU_NS)
                .emptyNs("qemu", "del", QEMU_NS, "capability", SLOW_CPU_READBACK_CAPABILITY)
                .close();
        return xml.render();
    }
}
