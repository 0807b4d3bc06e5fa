package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import io.testbed.images.KvmProbe;
import io.testbed.images.QemuImg;
import io.testbed.images.Template;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * One build of a warm image: boots the template once in a transient domain of the shape, with the identity channel
 * and a placeholder in the seed's place (no {@code cidata} label, so the tiny guest's {@code rcS} waits on the channel
 * instead of reading a seed), keeps the host's end of the channel connected (so the waiting guest blocks instead of
 * polling), waits for the guest's {@code TESTBED-WARM-WAITING} on the console, and saves memory and device state as
 * the overlay's internal snapshot {@link WarmImage#SNAPSHOT} with QEMU's {@code savevm}. The guest never brought a
 * NIC up, so it sent nothing on the networks its NICs sit on.
 */
final class WarmImageBuild implements WarmImages.Builder {

    /** What the tiny guest prints once it waits for its identity. */
    static final String WAITING = "TESTBED-WARM-WAITING";
    /** libvirt's VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP. */
    private static final int MONITOR_HMP = 1;
    /** Lets the guest go from printing {@link #WAITING} to blocking in its read of the channel. */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    private static final Duration CHANNEL_TIMEOUT = Duration.ofSeconds(30);

    private final LibvirtConnection libvirt;
    private final WarmShape shape;
    private final List<NicPlan> networks;
    private final Owner owner;
    private final Duration bootTimeout;
    private final Consumer<String> progress;

    /**
     * @param networks the NICs of the machine that asked for the image: the build domain's NICs sit on the same
     *                 networks (the guest keeps them down)
     * @param owner    labels the build domain, so the reaper removes it if this JVM dies meanwhile
     */
    WarmImageBuild(
            LibvirtConnection libvirt,
            WarmShape shape,
            List<NicPlan> networks,
            Owner owner,
            Duration bootTimeout,
            Consumer<String> progress) {
        this.libvirt = libvirt;
        this.shape = shape;
        this.networks = List.copyOf(networks);
        this.owner = owner;
        this.bootTimeout = bootTimeout;
        this.progress = progress;
    }

    @Override
    public void build(Path directory) {
        Template template = shape.template();
        String key = shape.key();
        Path overlay = QemuImg.overlay(template, directory.resolve(WarmImage.OVERLAY));
        Path placeholder = directory.resolve("no-seed.raw");
        Path console = directory.resolve(WarmImage.CONSOLE);
        try (RandomAccessFile file = new RandomAccessFile(placeholder.toFile(), "rw")) {
            file.setLength(1 << 20);
        } catch (IOException e) {
            throw new TestbedException("Cannot create " + placeholder + ": " + e, e);
        }
        String name = "tb-warm-" + key.substring(0, 8) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        String xml = DomainXml.render(new DomainXml.Domain(
                name,
                shape.domainType(),
                shape.memoryMb(),
                shape.cpus(),
                owner,
                java.util.Optional.of(new DomainXml.KernelBoot(
                        template.kernel().orElseThrow(),
                        template.initrd().orElseThrow(),
                        template.kernelCommandLine().orElseThrow())),
                List.of(
                        new DomainXml.DiskDevice(overlay, "qcow2", false, true),
                        new DomainXml.DiskDevice(placeholder, "raw", true, false)),
                nics(key),
                console,
                true));
        Deadline deadline = Deadline.after(bootTimeout);
        progress.accept("warm image " + key.substring(0, 12) + ": booting the template once (domain " + name + ")");
        Domain domain = libvirt.call("start the warm image's domain " + name, c -> c.domainCreateXML(xml, 0));
        try (IdentityChannel held = IdentityChannel.connect(
                IdentityChannel.socketPath(
                        libvirt.call("read the live document of " + name, c -> domain.getXMLDesc(0))),
                CHANNEL_TIMEOUT)) {
            awaitWaiting(domain, console, deadline);
            progress.accept(String.format(
                    "warm image %s: the guest waits for its identity after %.1f s; saving its memory",
                    key.substring(0, 12), deadline.elapsed().toMillis() / 1000.0));
            pause(SETTLE);
            String output = libvirt.call(
                    "save the warm image's memory",
                    c -> domain.qemuMonitorCommand("savevm " + WarmImage.SNAPSHOT, MONITOR_HMP));
            if (output != null && !output.isBlank()) {
                throw new TestbedException("QEMU could not save the warm image (savevm): " + output.strip());
            }
        } catch (RuntimeException e) {
            throw new TestbedException(
                    "Building the warm image failed: " + e.getMessage() + "; console of the build boot:\n"
                            + tail(console),
                    e);
        } finally {
            libvirt.call("destroy the warm image's domain " + name, c -> {
                try {
                    if (domain.isActive() == 1) {
                        domain.destroy();
                    }
                } catch (LibvirtException gone) {
                    // a transient domain vanishes with its QEMU
                }
                return null;
            });
            try {
                Files.deleteIfExists(placeholder);
            } catch (IOException ignored) {
                // the build directory is deleted as a whole when it is not moved into place
            }
        }
    }

    /** The build domain's NICs: on the asking machine's networks, with MACs of the image's own. */
    private List<NicPlan> nics(String key) {
        List<NicPlan> nics = new ArrayList<>();
        for (int i = 0; i < networks.size(); i++) {
            NicPlan on = networks.get(i);
            nics.add(new NicPlan(
                    on.network(),
                    on.networkObject(),
                    on.bridge(),
                    String.format("52:54:00:fe:%s:%02x", key.substring(0, 2), i),
                    on.address(),
                    on.prefixLength(),
                    on.gateway(),
                    shape.nicMtus().get(i),
                    on.mode()));
        }
        return nics;
    }

    private void awaitWaiting(Domain domain, Path console, Deadline deadline) {
        while (true) {
            String text = read(console);
            if (text.contains(WAITING)) {
                return;
            }
            if (text.contains("Kernel panic") || text.contains(KvmProbe.INITRAMFS_ERROR)) {
                throw new TestbedException("the guest failed to boot");
            }
            boolean active = libvirt.call("read the state of the warm image's domain", c -> domain.isActive() == 1);
            if (!active) {
                throw new TestbedException("the guest stopped while booting");
            }
            if (deadline.expired()) {
                throw new TestbedException("the guest did not print " + WAITING + " within " + bootTimeout.toSeconds()
                        + " s (testbed.boot.timeout)");
            }
            pause(Duration.ofMillis(50));
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("Interrupted while building the warm image", e);
        }
    }

    private static String read(Path console) {
        try {
            return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path console) {
        List<String> lines = read(console).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
