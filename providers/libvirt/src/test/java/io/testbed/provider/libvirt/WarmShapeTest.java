package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.DiskSpec;
import io.testbed.images.Template;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What shapes a warm image's key, and which machines boot cold instead, with which reason. */
class WarmShapeTest {

    private static final Template TINY = WarmFixtures.tiny(Path.of("/t/root.qcow2"), "a".repeat(64));

    private static WarmShape shape(Template template, int memory, List<Integer> mtus, String type, String host) {
        return WarmShape.of(template, WarmFixtures.plan(memory, mtus, List.of(), Map.of()), type, host);
    }

    @Test
    void everyInputThatShapesTheImageChangesTheKey() {
        List<WarmShape> shapes = List.of(
                shape(TINY, 128, List.of(0), "qemu", "qemu 7002000 libvirt 9000000"),
                shape(TINY, 256, List.of(0), "qemu", "qemu 7002000 libvirt 9000000"),
                shape(TINY, 128, List.of(1400), "qemu", "qemu 7002000 libvirt 9000000"),
                shape(TINY, 128, List.of(0, 0), "qemu", "qemu 7002000 libvirt 9000000"),
                shape(TINY, 128, List.of(0), "kvm", "qemu 7002000 libvirt 9000000"),
                shape(TINY, 128, List.of(0), "qemu", "qemu 8000000 libvirt 9000000"),
                shape(
                        WarmFixtures.tiny(Path.of("/t/root.qcow2"), "b".repeat(64)),
                        128,
                        List.of(0),
                        "qemu",
                        "qemu 7002000 libvirt 9000000"),
                new WarmShape(TINY, 128, 2, List.of(0), "qemu", "qemu 7002000 libvirt 9000000"));
        Set<String> keys = new HashSet<>();
        shapes.forEach(s -> keys.add(s.key()));
        assertThat(keys).hasSize(shapes.size()).allMatch(key -> key.matches("[0-9a-f]{64}"));
        assertThat(shape(TINY, 128, List.of(0), "qemu", "qemu 7002000 libvirt 9000000")
                        .key())
                .as("the same shape, the same key")
                .isEqualTo(shapes.get(0).key());
        assertThat(shapes.get(0).canonicalText())
                .contains("format " + WarmShape.FORMAT)
                .contains("<target type=\"virtio\" name=\"" + DomainXml.IDENTITY_CHANNEL + "\"");
    }

    @Test
    void machinesTheWarmImageCannotServeBootColdWithAReason() {
        Map<String, String> on = Map.of();
        assertThat(WarmShape.whyCold(WarmFixtures.plan(128, List.of(0), List.of(), Map.of()), TINY, on))
                .isEmpty();
        assertThat(WarmShape.whyCold(
                        WarmFixtures.plan(128, List.of(0), List.of(), Map.of()),
                        TINY,
                        Map.of(TestbedConfig.WARM_START, "false")))
                .hasValue(TestbedConfig.WARM_START + " is false");
        assertThat(WarmShape.whyCold(
                        WarmFixtures.plan(128, List.of(0), List.of(new DiskSpec("data", 16)), Map.of()), TINY, on))
                .hasValueSatisfying(reason -> assertThat(reason).contains("data disks (1)"));
        assertThat(WarmShape.whyCold(
                        WarmFixtures.plan(128, List.of(0), List.of(), Map.of(LibvirtProvider.KERNEL_ARGS, "x")),
                        TINY,
                        on))
                .hasValueSatisfying(reason -> assertThat(reason).contains(LibvirtProvider.KERNEL_ARGS));
        assertThat(WarmShape.whyCold(
                        WarmFixtures.plan(128, List.of(0), List.of(), Map.of()),
                        TINY,
                        Map.of(TestbedConfig.LIBVIRT_URI, "qemu+ssh://root@lab/system")))
                .hasValueSatisfying(reason -> assertThat(reason).contains("remote"));
    }
}
