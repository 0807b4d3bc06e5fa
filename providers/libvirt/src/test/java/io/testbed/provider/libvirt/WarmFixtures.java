package io.testbed.provider.libvirt;

import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.NicPlan;
import io.testbed.images.Template;
import io.testbed.images.TemplateManifest;
import io.testbed.images.TemplateStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Templates and machine plans for the warm start's unit tests. */
final class WarmFixtures {

    private WarmFixtures() {}

    /** A built tiny template whose root disk is {@code disk} and whose content address is {@code key}. */
    static Template tiny(Path disk, String key) {
        TemplateManifest manifest = new TemplateManifest(
                TemplateStore.TINY,
                Template.Kind.BUILT,
                key,
                "tiny-1",
                Instant.EPOCH,
                Duration.ZERO,
                List.of(),
                "6.1.0",
                "console=ttyS0",
                Map.of(),
                "qcow2",
                1 << 20,
                1 << 20,
                0,
                Map.of());
        return new Template(
                TemplateStore.TINY,
                Template.Kind.BUILT,
                disk,
                Template.DiskFormat.QCOW2,
                Optional.of(Path.of("/t/vmlinuz")),
                Optional.of(Path.of("/t/initrd.img")),
                Optional.of("console=ttyS0"),
                manifest);
    }

    /** A machine of {@code memoryMb} with one NIC per MTU, data disks and properties as given. */
    static MachinePlan plan(int memoryMb, List<Integer> mtus, List<DiskSpec> disks, Map<String, String> properties) {
        List<NicPlan> nics = new ArrayList<>();
        List<String> networks = new ArrayList<>();
        for (int i = 0; i < mtus.size(); i++) {
            networks.add("net" + i);
            nics.add(new NicPlan(
                    "net" + i,
                    "tb-1234-net" + i,
                    "tb1234n" + i,
                    String.format("52:54:00:00:00:%02x", i + 1),
                    address(198, 18, i, 2),
                    24,
                    address(198, 18, i, 1),
                    mtus.get(i),
                    NetworkMode.ISOLATED));
        }
        MachineSpec spec =
                new MachineSpec("vm1", "libvirt", "", 1, memoryMb, networks, disks, Set.of(), properties, null);
        return new MachinePlan(spec, "tb-1234-vm1", nics);
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
