package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import java.time.Duration;
import java.util.function.Consumer;
import org.libvirt.Domain;

/**
 * Starts a defined domain whose overlay is a copy of a warm image's: QEMU starts paused, {@code loadvm} restores the
 * image's memory and device state in place (libvirt's own restore cannot give the state a new UUID), the host
 * connects to the identity channel, the guest resumes and receives its identity, and goes on booting from where the
 * image's guest waited: it takes its MAC addresses before its links come up, reseeds its random generator, starts
 * dropbear with the handed-over host key.
 */
final class WarmRestore {

    /** QEMU refused to restore the image: the image is at fault, so it is discarded and built again. */
    static final class ImageRefused extends TestbedException {
        private static final long serialVersionUID = 1L;

        ImageRefused(String message) {
            super(message);
        }
    }

    /**
     * A machine's warm start: the image its overlay was copied from, and what to do when a restore from it fails.
     *
     * @param image   the warm image
     * @param discard throws the image away, with the reason
     */
    record Source(WarmImage image, Consumer<String> discard) {}

    /** libvirt's VIR_DOMAIN_START_PAUSED. */
    private static final int START_PAUSED = 1;
    /** libvirt's VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP. */
    private static final int MONITOR_HMP = 1;
    /** How long QEMU may take to open the channel's socket once the domain runs (it exists before the start returns). */
    private static final Duration CHANNEL_TIMEOUT = Duration.ofSeconds(10);

    private WarmRestore() {}

    /**
     * Restores domain {@code name} from its overlay's {@link WarmImage#SNAPSHOT} and hands {@code identity} over.
     *
     * @throws ImageRefused     when QEMU cannot load the snapshot
     * @throws TestbedException when libvirt or the channel fail
     */
    static void restore(LibvirtConnection libvirt, String name, String identity) {
        Domain domain = libvirt.call("look up domain " + name, c -> c.domainLookupByName(name));
        libvirt.call("start domain " + name + " paused", c -> domain.create(START_PAUSED));
        String output = libvirt.call(
                "restore the warm image into " + name,
                c -> domain.qemuMonitorCommand("loadvm " + WarmImage.SNAPSHOT, MONITOR_HMP));
        if (output != null && !output.isBlank()) {
            throw new ImageRefused("QEMU could not load the warm image's snapshot: " + output.strip());
        }
        String live = libvirt.call("read the live document of " + name, c -> domain.getXMLDesc(0));
        // connected before the guest runs: it then never sees the channel closed, and its read just goes on
        try (IdentityChannel channel = IdentityChannel.connect(IdentityChannel.socketPath(live), CHANNEL_TIMEOUT)) {
            libvirt.call("resume domain " + name, c -> {
                domain.resume();
                return null;
            });
            channel.send(identity);
        }
    }

    /**
     * Deletes the snapshot the machine's overlay inherited from the warm image, which only its first start needed;
     * its clusters (the image's memory) are freed, so the machine's disk holds no more than a cold one's.
     */
    static void dropInheritedSnapshot(LibvirtConnection libvirt, String name) {
        String output = libvirt.call(
                "delete the inherited warm snapshot of " + name,
                c -> c.domainLookupByName(name).qemuMonitorCommand("delvm " + WarmImage.SNAPSHOT, MONITOR_HMP));
        if (output != null && !output.isBlank()) {
            throw new TestbedException("QEMU could not delete the inherited snapshot '" + WarmImage.SNAPSHOT + "' of "
                    + name + ": " + output.strip());
        }
    }
}
