package io.testbed.bench;

import io.testbed.images.SeedIso;
import io.testbed.images.Template;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two cold-boot anchors, both without libvirt, both on a tap on the bench's own bridge ({@link BenchBridge}):
 * <ul>
 *   <li>{@link #sameCommandLine}: the QEMU command line libvirt ran for Testbed's domain, read from libvirt's
 *       domain log and made runnable by hand ({@link QemuCommandLine#withoutLibvirt});</li>
 *   <li>{@link #floor}: QEMU's {@code microvm} machine, direct kernel boot, no firmware
 *       ({@link QemuCommandLine#microvm}), same kernel, initramfs, root, CPU model, memory and accelerator.</li>
 * </ul>
 * Both run as the bench's user (root), not as libvirt's {@code libvirt-qemu}. Not thread-safe; close it.
 */
final class ColdAnchors implements AutoCloseable {

    /** Where libvirt's QEMU driver logs each domain's command line (qemu:///system). */
    static final Path LIBVIRT_LOGS = Path.of("/var/log/libvirt/qemu");
    /** The anchors' NIC MAC (locally administered, QEMU's range). */
    static final String MAC = "52:54:00:be:4c:0f";

    private static final Pattern HOST_MTU = Pattern.compile("\"host_mtu\":(\\d+)");

    private final List<String> libvirtCommand;
    private final Path prefixDir;
    private final String machine;
    private final BenchBridge bridge;
    private final int mtu;

    private ColdAnchors(List<String> libvirtCommand, Path prefixDir, String machine, BenchBridge bridge, int mtu) {
        this.libvirtCommand = libvirtCommand;
        this.prefixDir = prefixDir;
        this.machine = machine;
        this.bridge = bridge;
        this.mtu = mtu;
    }

    /**
     * Reads the command line of {@code domain} (Testbed's machine {@code machine} of the prefix {@code prefixDir})
     * from libvirt's log and creates the bridge.
     *
     * @throws BenchException when the log cannot be read or holds no QEMU command line
     */
    static ColdAnchors fromDomain(Bed bed, String domain, Path prefixDir, String machine) {
        Path log = LIBVIRT_LOGS.resolve(domain + ".log");
        List<String> command;
        try {
            command = QemuCommandLine.fromLibvirtLog(Files.readString(log));
        } catch (IOException | IllegalArgumentException e) {
            throw new BenchException(
                    "Cannot read the QEMU command line of domain " + domain + " from " + log + ": " + e.getMessage()
                            + "; the cold-boot anchor repeats it (libvirt's qemu:///system logs it there)",
                    e);
        }
        Matcher mtu = HOST_MTU.matcher(String.join(" ", command));
        int hostMtu = mtu.find() ? Integer.parseInt(mtu.group(1)) : 0;
        bed.log("libvirt ran: %s", String.join(" ", command));
        return new ColdAnchors(command, prefixDir, machine, BenchBridge.create(bed.config, hostMtu), hostMtu);
    }

    /** The QEMU command line libvirt ran, as read from its log. */
    List<String> libvirtCommand() {
        return libvirtCommand;
    }

    /** The value following {@code option} in libvirt's command line, e.g. the CPU model after {@code -cpu}. */
    String option(String option) {
        int at = libvirtCommand.indexOf(option);
        if (at < 0 || at + 1 >= libvirtCommand.size()) {
            throw new BenchException("libvirt's command line has no " + option + ": " + libvirtCommand);
        }
        return libvirtCommand.get(at + 1);
    }

    /** The launch that repeats libvirt's command line, the domain's files replaced by the anchor's own. */
    BareQemu.Launch sameCommandLine() {
        return new TapLaunch() {
            @Override
            public List<String> command(Template template, BareQemu.Options options, BareQemu.Files files, int port) {
                Path disks = prefixDir.resolve("disks");
                List<String> command = QemuCommandLine.withoutLibvirt(
                        libvirtCommand,
                        new QemuCommandLine.Substitutions(
                                "testbed-bench-same",
                                Map.of(
                                        disks.resolve(machine + ".qcow2").toString(),
                                        files.overlay().toString(),
                                        disks.resolve(machine + "-seed.iso").toString(),
                                        files.seed().toString()),
                                bridge.tap(),
                                MAC,
                                files.console()));
                String leftover = prefixDir.toString();
                if (command.stream().anyMatch(arg -> arg.contains(leftover))) {
                    throw new BenchException("The derived QEMU command line still names Testbed's prefix " + leftover
                            + " (a disk the anchor does not replace): " + command);
                }
                return command;
            }
        };
    }

    /** The launch of the floor: microvm, direct kernel boot, no firmware. */
    BareQemu.Launch floor() {
        String accelerator = option("-accel");
        String cpu = option("-cpu");
        return new TapLaunch() {
            @Override
            public List<String> command(Template template, BareQemu.Options options, BareQemu.Files files, int port) {
                return QemuCommandLine.microvm(
                        accelerator,
                        cpu,
                        options.memoryMb(),
                        template.kernel().orElseThrow(),
                        template.initrd().orElseThrow(),
                        template.kernelCommandLine().orElseThrow(),
                        files.overlay(),
                        files.seed(),
                        bridge.tap(),
                        MAC,
                        files.console());
            }
        };
    }

    /** Boots one anchor and hands the guest to {@code measure}; the guest is closed afterwards. */
    static void boot(
            Template template,
            int memoryMb,
            BareQemu.Launch launch,
            Consumer<String> progress,
            Consumer<BareQemuGuest> measure) {
        BareQemu.Options options =
                BareQemu.Options.defaults().withMemoryMb(memoryMb).withHostname("bench-anchor");
        try (BareQemuGuest guest = new BareQemu(progress).boot(template, options, launch)) {
            measure.accept(guest);
        }
    }

    @Override
    public void close() {
        bridge.close();
    }

    /** A guest on the bridge's tap at {@code .15}, reached on its port 22. */
    private abstract class TapLaunch implements BareQemu.Launch {
        @Override
        public SeedIso.Nic nic() {
            return new SeedIso.Nic(MAC, bridge.guestAddress(), 24, bridge.gateway(), mtu);
        }

        @Override
        public InetAddress dns() {
            return bridge.gateway();
        }

        @Override
        public InetSocketAddress ssh(int localPort) {
            return new InetSocketAddress(bridge.guestAddress(), 22);
        }
    }
}
