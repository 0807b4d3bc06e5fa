package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExclusiveLockTest {

    @TempDir
    Path dir;

    @Test
    void threadsContendingForOneLockFileNeverOverlap() throws Exception {
        Path lockFile = dir.resolve("contended.lock");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<ExclusiveLock.Holder> waitedFor = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        try (ExclusiveLock lock =
                                ExclusiveLock.acquire(lockFile, Duration.ofSeconds(30), waitedFor::add)) {
                            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.sleep(1); // long enough that the others must wait
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(mostInside).hasValue(1);
        assertThat(waitedFor).isNotEmpty().containsOnly(ExclusiveLock.Holder.THIS_JVM);
    }

    @Test
    void aHeldLockTimesOutNamingTheHolder() throws Exception {
        Path lockFile = dir.resolve("held.lock");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (ExclusiveLock lock = ExclusiveLock.acquire(lockFile, Duration.ofSeconds(5), null)) {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        try {
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            assertThatThrownBy(() -> ExclusiveLock.acquire(lockFile, Duration.ofMillis(200), null))
                    .isInstanceOfSatisfying(
                            ExclusiveLock.TimeoutException.class,
                            e -> assertThat(e.holder()).isEqualTo(ExclusiveLock.Holder.THIS_JVM))
                    .hasMessageContaining("another thread of this JVM holds it");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        } finally {
            release.countDown();
            holder.join(10_000);
        }
        try (ExclusiveLock again = ExclusiveLock.acquire(lockFile, Duration.ofSeconds(5), null)) {
            assertThat(lockFile).exists(); // free again once released
        }
    }

    @Test
    void anotherProcessHoldingTheFileLockMakesUsWait() throws Exception {
        Path lockFile = dir.resolve("process.lock");
        // The other process takes the same kind of lock as FileChannel.lock (fcntl), through Python's lockf.
        Process other = new ProcessBuilder(
                        "python3",
                        "-c",
                        "import fcntl,sys,time\n"
                                + "f=open(sys.argv[1],'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); "
                                + "time.sleep(1.0)",
                        lockFile.toString())
                .redirectErrorStream(true)
                .start();
        try {
            assertThat(new String(other.getInputStream().readNBytes(7))).isEqualTo("locked\n");
            List<ExclusiveLock.Holder> waitedFor = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            try (ExclusiveLock lock = ExclusiveLock.acquire(lockFile, Duration.ofSeconds(20), waitedFor::add)) {
                assertThat(waitedFor).containsExactly(ExclusiveLock.Holder.OTHER_PROCESS);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(300));
            }
        } finally {
            other.destroyForcibly();
        }
    }
}
