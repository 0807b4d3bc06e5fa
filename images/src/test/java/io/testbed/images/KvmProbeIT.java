package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KVM probe with the real tiny template and QEMU: bounded, cached across instances, leaves nothing behind. */
class KvmProbeIT {

    private static boolean qemuRunningForProbe() {
        return ProcessHandle.allProcesses()
                .anyMatch(process -> process.info()
                        .commandLine()
                        .map(line -> line.contains("testbed-kvm-probe "))
                        .orElse(false));
    }

    private static List<Path> probeTempDirectories() throws IOException {
        try (Stream<Path> children = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return children.filter(path -> path.getFileName().toString().startsWith("testbed-kvmprobe-"))
                    .toList();
        }
    }

    private static Template tiny() {
        return TemplateStore.openDefault(line -> System.out.println("[store] " + line))
                .resolve(TemplateStore.TINY);
    }

    @Test
    void theProbeBootSeesTheReadinessMarkerAndLeavesNothing() throws IOException {
        // TCG stands in for KVM here (hosts without /dev/kvm would never boot the probe otherwise)
        Template tiny = tiny();
        List<Path> before = probeTempDirectories();
        List<String> log = new ArrayList<>();
        assertThat(new KvmProbe(log::add, null).reachesReadiness(tiny, Duration.ofSeconds(120), "tcg"))
                .as("%s", log)
                .isTrue();
        assertThat(log).anyMatch(line -> line.startsWith("KVM probe: guest announced readiness under tcg"));
        assertThat(qemuRunningForProbe()).isFalse();
        assertThat(probeTempDirectories()).isEqualTo(before);
    }

    @Test
    void aGuestThatFailsInItsInitramfsCountsAsNotReadyAtOnce() throws IOException {
        Template tiny = tiny();
        Template wrongRoot = new Template(
                "tiny-with-wrong-root",
                Template.Kind.BUILT,
                tiny.disk(),
                tiny.diskFormat(),
                tiny.kernel(),
                tiny.initrd(),
                Optional.of("console=ttyS0 root=LABEL=no-such-root quiet panic=-1"),
                tiny.manifest());
        List<Path> before = probeTempDirectories();
        List<String> log = new ArrayList<>();
        assertThat(new KvmProbe(log::add, null).reachesReadiness(wrongRoot, Duration.ofSeconds(120), "tcg"))
                .isFalse();
        assertThat(log).anyMatch(line -> line.contains("the guest's initramfs reported an error"));
        assertThat(qemuRunningForProbe()).isFalse();
        assertThat(probeTempDirectories()).isEqualTo(before);
    }

    @Test
    void kvmProbeIsBoundedAndItsAnswerCached(@TempDir Path cache) throws IOException {
        Template tiny = tiny();
        List<Path> before = probeTempDirectories();
        KvmProbe probe = new KvmProbe(line -> System.out.println("[kvm] " + line), cache);
        Duration timeout = Duration.ofSeconds(20);
        long start = System.nanoTime();
        boolean usable = probe.kvmUsable(tiny, timeout);
        Duration first = Duration.ofNanos(System.nanoTime() - start);
        start = System.nanoTime();
        boolean again = probe.kvmUsable(tiny, timeout);
        Duration second = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf(
                "[kvm] KVM usable: %s (probe %.1f s, cached answer %.3f s)%n",
                usable, first.toMillis() / 1000.0, second.toMillis() / 1000.0);
        assertThat(again).isEqualTo(usable);
        assertThat(first).isLessThan(timeout.plusSeconds(20));
        assertThat(second).isLessThan(Duration.ofMillis(100));
        assertThat(qemuRunningForProbe()).isFalse();
        assertThat(probeTempDirectories()).isEqualTo(before);

        // another JVM (here: another instance) reads the answer from the cache directory instead of probing
        List<String> otherLog = new ArrayList<>();
        KvmProbe other = new KvmProbe(otherLog::add, cache);
        start = System.nanoTime();
        assertThat(other.kvmUsable(tiny, timeout)).isEqualTo(usable);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        Path kvm = Path.of("/dev/kvm");
        if (Files.isReadable(kvm) && Files.isWritable(kvm)) { // otherwise nothing was probed, nothing cached
            assertThat(otherLog).anyMatch(line -> line.contains("answer from"));
            assertThat(cache.resolve(KvmProbe.PROBE_FILE)).isRegularFile();
        }
    }

    @Test
    void withoutTheDeviceTheProbeSaysSoAndBootsNothing(@TempDir Path cache) throws IOException {
        List<String> log = new ArrayList<>();
        KvmProbe probe = new KvmProbe(log::add, cache, cache.resolve("no-kvm-device"), "kvm");

        assertThat(probe.kvmUsable(tiny(), Duration.ofSeconds(20))).isFalse();
        assertThat(log)
                .containsExactly("KVM probe: " + cache.resolve("no-kvm-device")
                        + " is missing or not read-writable by this user; using TCG");
        assertThat(cache.resolve(KvmProbe.PROBE_FILE)).doesNotExist();
    }

    @Test
    void aGuestThatAnswersMakesTheProbeSayUsableAndRememberIt(@TempDir Path cache) throws IOException {
        // a read-writable stand-in for /dev/kvm, and TCG for the probe's boot: the "KVM works" outcome on any host
        Path device = Files.createFile(cache.resolve("kvm"));
        List<String> log = new ArrayList<>();
        KvmProbe probe = new KvmProbe(log::add, cache, device, "tcg");

        assertThat(probe.kvmUsable(tiny(), Duration.ofSeconds(120)))
                .as("%s", log)
                .isTrue();
        assertThat(log).anyMatch(line -> line.startsWith("KVM probe: guest announced readiness under tcg"));
        assertThat(cache.resolve(KvmProbe.PROBE_FILE)).isRegularFile();
        List<String> otherLog = new ArrayList<>();
        assertThat(new KvmProbe(otherLog::add, cache, device, "tcg").kvmUsable(tiny(), Duration.ofSeconds(120)))
                .isTrue();
        assertThat(otherLog).singleElement().asString().startsWith("KVM probe: usable (answer from");
        assertThat(qemuRunningForProbe()).isFalse();
    }
}
