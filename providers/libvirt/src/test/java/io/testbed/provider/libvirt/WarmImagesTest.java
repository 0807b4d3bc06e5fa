package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm image store's reuse, verification and rebuilds, with images made by {@code qemu-img} (a real overlay on
 * a real backing file, holding a real internal snapshot; no VM is booted).
 */
class WarmImagesTest {

    @TempDir
    Path root;

    private Path templateDisk;
    private WarmShape shape;
    private final AtomicInteger builds = new AtomicInteger();
    private final List<String> discarded = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void template() {
        templateDisk = root.resolve("tiny/root.qcow2");
        qemuImg("create", "-q", "-f", "qcow2", mkdirs(templateDisk).toString(), "16M");
        shape = WarmShape.of(
                WarmFixtures.tiny(templateDisk, "c".repeat(64)),
                WarmFixtures.plan(128, List.of(0), List.of(), Map.of()),
                "qemu",
                "qemu 7002000 libvirt 9000000");
    }

    private static Path mkdirs(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void qemuImg(String... arguments) {
        List<String> command = new ArrayList<>(List.of("qemu-img"));
        command.addAll(List.of(arguments));
        LocalCommand.of(command).check("run qemu-img");
    }

    /** What a build leaves: an overlay on the template holding the snapshot (here without memory state). */
    private WarmImages.Builder builder(boolean withSnapshot) {
        return directory -> {
            builds.incrementAndGet();
            Path overlay = directory.resolve(WarmImage.OVERLAY);
            qemuImg("create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", templateDisk.toString(), overlay.toString());
            if (withSnapshot) {
                qemuImg("snapshot", "-c", WarmImage.SNAPSHOT, overlay.toString());
            }
        };
    }

    private WarmImages store() {
        return new WarmImages(root, "tiny", Duration.ofDays(7), line -> {});
    }

    @Test
    void buildsOnFirstUseAndReusesAfterwards() {
        WarmImages.Resolved first = store().resolve(shape, builder(true), discarded::add);
        WarmImages.Resolved second = store().resolve(shape, builder(true), discarded::add);

        assertThat(first.built()).isTrue();
        assertThat(second.built()).isFalse();
        assertThat(builds).hasValue(1);
        assertThat(second.image().directory())
                .isEqualTo(root.resolve("tiny-warm").resolve(shape.key()));
        assertThat(second.image().manifest().templateDisk()).isEqualTo(templateDisk.toString());
        assertThat(second.image().manifest().shape()).isEqualTo(shape.canonicalText());
        assertThat(discarded).isEmpty();
    }

    @Test
    void aCorruptOverlayIsDiscardedAndBuiltAgain() throws IOException {
        WarmImage image = store().resolve(shape, builder(true), discarded::add).image();
        try (RandomAccessFile overlay = new RandomAccessFile(image.overlay().toFile(), "rw")) {
            overlay.seek(overlay.length() - 8);
            overlay.write(new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
        }

        WarmImages.Resolved again = store().resolve(shape, builder(true), discarded::add);

        assertThat(again.built()).isTrue();
        assertThat(builds).hasValue(2);
        assertThat(discarded)
                .singleElement()
                .satisfies(reason -> assertThat(reason).startsWith("corrupt: "));
    }

    @Test
    void aStaleImageIsDiscardedAndBuiltAgain() throws IOException {
        WarmImage image = store().resolve(shape, builder(true), discarded::add).image();
        Path manifest = image.directory().resolve(WarmImage.MANIFEST);
        Files.writeString(manifest, Files.readString(manifest).replace(WarmShape.FORMAT, "warm-0"));

        assertThat(store().resolve(shape, builder(true), discarded::add).built())
                .isTrue();
        assertThat(discarded)
                .singleElement()
                .satisfies(reason -> assertThat(reason).startsWith("stale: "));
    }

    @Test
    void aDiscardedImageIsBuiltAgainOnItsNextUse() {
        WarmImages store = store();
        WarmImage image = store.resolve(shape, builder(true), discarded::add).image();

        store.discard(image, "restore failed", discarded::add);

        assertThat(image.directory()).doesNotExist();
        assertThat(store.resolve(shape, builder(true), discarded::add).built()).isTrue();
        assertThat(discarded).containsExactly("restore failed");
    }

    @Test
    void aBuildWithoutTheSnapshotFailsAndLeavesNothingBehind() throws IOException {
        assertThatThrownBy(() -> store().resolve(shape, builder(false), discarded::add))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("no snapshot '" + WarmImage.SNAPSHOT + "'");
        try (var left = Files.list(root.resolve("tiny-warm"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly(".lock");
        }
    }

    @Test
    void threadsAskingAtOnceBuildItOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<WarmImages.Resolved>> asks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                asks.add(() -> store().resolve(shape, builder(true), discarded::add));
            }
            int built = 0;
            for (Future<WarmImages.Resolved> answer : pool.invokeAll(asks)) {
                built += answer.get().built() ? 1 : 0;
            }
            assertThat(built).isEqualTo(1);
            assertThat(builds).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private WarmShape shapeWithMemory(int memoryMb) {
        return WarmShape.of(
                WarmFixtures.tiny(templateDisk, "c".repeat(64)),
                WarmFixtures.plan(memoryMb, List.of(0), List.of(), Map.of()),
                "qemu",
                "qemu 7002000 libvirt 9000000");
    }

    private static void lastUsedDaysAgo(WarmImage image, int days) throws IOException {
        Files.setLastModifiedTime(
                image.directory().resolve(WarmImage.LAST_USED),
                FileTime.from(Instant.now().minus(Duration.ofDays(days))));
    }

    @Test
    void buildingAnImageRemovesThoseUnusedForLongerThanTheConfiguredDaysAndKeepsRecentlyUsedOnes() throws IOException {
        WarmImage stale = store().resolve(shape, builder(true), discarded::add).image();
        WarmImage recent = store().resolve(shapeWithMemory(256), builder(true), discarded::add)
                .image();
        lastUsedDaysAgo(stale, 8);
        lastUsedDaysAgo(recent, 8);
        assertThat(WarmImagePruning.markUsed(recent)).isTrue();

        store().resolve(shapeWithMemory(512), builder(true), discarded::add);

        assertThat(stale.directory()).doesNotExist();
        assertThat(recent.overlay()).isRegularFile();
        assertThat(WarmImagePruning.markUsed(stale)).isFalse();
        try (var left = Files.list(root.resolve("tiny-warm"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .hasSize(2);
        }
    }

    @Test
    void theReaperPrunesEveryTemplatesStaleImagesButNotWhileABuildHoldsTheLock() throws IOException {
        WarmImage stale = store().resolve(shape, builder(true), discarded::add).image();
        lastUsedDaysAgo(stale, 3);
        Path lock = root.resolve("tiny-warm").resolve(WarmImages.LOCK);

        try (var held = io.testbed.core.internal.support.ExclusiveLock.acquire(lock, Duration.ZERO, null)) {
            Thread other = new Thread(() -> WarmImagePruning.pruneStore(root, Duration.ofDays(2)));
            other.start();
            assertThat(joined(other)).isTrue();
            assertThat(stale.overlay()).isRegularFile();
        }
        assertThat(WarmImagePruning.pruneStore(root, Duration.ofDays(4))).isEmpty();
        assertThat(WarmImagePruning.pruneStore(root, Duration.ofDays(2)))
                .singleElement()
                .satisfies(line -> assertThat(line).contains(stale.directory().toString(), "unused since"));
        assertThat(stale.directory()).doesNotExist();
    }

    private static boolean joined(Thread thread) {
        try {
            thread.join(10_000);
            return !thread.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
