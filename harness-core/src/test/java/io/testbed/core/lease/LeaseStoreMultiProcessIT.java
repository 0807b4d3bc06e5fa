package io.testbed.core.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.spi.Owner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many JVMs lease from one store at once, some killed (SIGKILL) while holding leases: no subnet is ever held by two
 * live processes, every lease of a killed JVM is reclaimed by the others on acquire, and none is lost.
 */
class LeaseStoreMultiProcessIT {

    private static final String POOL = "198.19.240.0/21"; // 8 /24s, so that the JVMs contend
    private static final int SURVIVORS = 8;
    private static final int VICTIMS = 4;
    private static final Pattern RECLAIM =
            Pattern.compile("Reclaiming stale lease (\\S+) of prefix .*?, pid (\\d+), since .*: process \\d+ is dead");

    @TempDir
    Path temp;

    @Test
    void jvmsContendWithoutOverlapAndLeasesOfKilledJvmsAreReclaimed() throws Exception {
        Path storeDir = temp.resolve("leases");
        Path markers = Files.createDirectories(temp.resolve("markers"));
        Path prefixes = temp.resolve("prefixes");
        Random random = new Random(42);
        Deadline deadline = new Deadline(50);
        long began = System.nanoTime();
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < SURVIVORS + VICTIMS; i++) {
                boolean victim = i >= SURVIVORS;
                // victims hold long, so the kill lands while they hold what their last HELD line says
                workers.add(new Worker(
                        i,
                        victim ? 1 + random.nextInt(3) : 0,
                        launch(
                                i,
                                storeDir,
                                markers,
                                prefixes,
                                victim ? 400 : 2,
                                victim ? 600 : 25,
                                random.nextLong())));
            }
            for (Worker worker : workers) {
                assertThat(worker.ready.await(deadline.remaining(), TimeUnit.MILLISECONDS))
                        .as("worker %s started", worker)
                        .isTrue();
            }
            long started = System.nanoTime();
            workers.forEach(worker -> worker.send("GO"));

            for (Worker victim : victims(workers)) {
                victim.finished.await(deadline.remaining(), TimeUnit.MILLISECONDS);
                assertThat(victim.killed)
                        .as(
                                "victim %s was killed while holding leases; output %s; stderr %s",
                                victim, victim.lines, victim.stderr())
                        .isTrue();
            }
            // survivors must acquire again after the last kill, so that reclaim on acquire has its chance
            List<Integer> heldAfterKills =
                    survivors(workers).stream().map(w -> w.held.get()).toList();
            for (int i = 0; i < SURVIVORS; i++) {
                Worker survivor = workers.get(i);
                while (survivor.held.get() < heldAfterKills.get(i) + 2 && survivor.process.isAlive()) {
                    assertThat(deadline.remaining())
                            .as("time left; survivor %s output %s", survivor, survivor.lines)
                            .isPositive();
                    Thread.sleep(10);
                }
            }
            survivors(workers).forEach(worker -> worker.send("STOP"));
            for (Worker survivor : survivors(workers)) {
                assertThat(survivor.process.waitFor(deadline.remaining(), TimeUnit.MILLISECONDS))
                        .as("survivor %s finished", survivor)
                        .isTrue();
            }
            long contended = System.nanoTime() - started;

            for (Worker survivor : survivors(workers)) {
                assertThat(survivor.process.exitValue())
                        .as("exit code of %s; output %s; stderr %s", survivor, survivor.lines, survivor.stderr())
                        .isZero();
                assertThat(survivor.lines.get(survivor.lines.size() - 1)).startsWith("DONE ");
            }
            for (Worker worker : workers) {
                assertThat(worker.lines).as("output of %s", worker).noneMatch(line -> line.startsWith("FAIL"));
            }

            Set<String> heldByKilled = new HashSet<>();
            for (Worker victim : victims(workers)) {
                for (String subnet : victim.lastHeld.split(",")) {
                    heldByKilled.add(subnet + " pid " + victim.process.pid());
                }
            }
            Set<String> reclaimed = new HashSet<>();
            Set<Long> victimPids = new HashSet<>(
                    victims(workers).stream().map(w -> w.process.pid()).toList());
            for (Worker worker : workers) {
                Matcher matcher = RECLAIM.matcher(worker.stderr());
                while (matcher.find()) {
                    assertThat(victimPids)
                            .as("only killed JVMs lose leases: %s", matcher.group())
                            .contains(Long.parseLong(matcher.group(2)));
                    reclaimed.add(matcher.group(1) + " pid " + matcher.group(2));
                }
            }
            assertThat(reclaimed)
                    .as("leases reclaimed on acquire = leases the killed JVMs held")
                    .isEqualTo(heldByKilled);

            LeaseStore store = new LeaseStore(storeDir, SubnetPool.of(POOL), LocalSubnetProbe.none());
            assertThat(store.list())
                    .as("nothing left: survivors released, killed JVMs' leases reclaimed")
                    .isEmpty();
            Owner last = TestPrefixes.create(prefixes, "last");
            assertThat(store.acquire(last, 8))
                    .extracting(Lease::subnet)
                    .containsExactlyElementsOf(SubnetPool.of(POOL).subnets().toList());
            store.release(last.prefixId());

            int acquisitions = 0;
            int exhausted = 0;
            for (Worker survivor : survivors(workers)) {
                Matcher done = Pattern.compile("DONE acquisitions=(\\d+) exhausted=(\\d+)")
                        .matcher(survivor.lines.get(survivor.lines.size() - 1));
                assertThat(done.matches()).isTrue();
                acquisitions += Integer.parseInt(done.group(1));
                exhausted += Integer.parseInt(done.group(2));
            }
            System.out.printf(
                    "%d JVMs (%d killed holding %d leases): %d acquisitions by survivors, %d refused as "
                            + "exhausted, %d reclaimed; contention phase %d ms, whole test %d ms%n",
                    workers.size(),
                    VICTIMS,
                    heldByKilled.size(),
                    acquisitions,
                    exhausted,
                    reclaimed.size(),
                    TimeUnit.NANOSECONDS.toMillis(contended),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            assertThat(acquisitions).isGreaterThanOrEqualTo(SURVIVORS * 2);
        } finally {
            for (Worker worker : workers) {
                worker.process.destroyForcibly();
                worker.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process launch(int index, Path storeDir, Path markers, Path prefixes, int holdMin, int holdMax, long seed)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-Xmx64m",
                "-cp",
                classpath,
                LeaseWorker.class.getName(),
                storeDir.toString(),
                markers.toString(),
                prefixes.toString(),
                POOL,
                String.valueOf(holdMin),
                String.valueOf(holdMax),
                String.valueOf(seed));
        builder.redirectError(temp.resolve("worker-" + index + ".err").toFile());
        return builder.start();
    }

    private static List<Worker> survivors(List<Worker> workers) {
        return workers.stream().filter(w -> w.killAt == 0).toList();
    }

    private static List<Worker> victims(List<Worker> workers) {
        return workers.stream().filter(w -> w.killAt > 0).toList();
    }

    /** A worker JVM and what it said; a victim is killed right after its {@code killAt}-th HELD line. */
    private final class Worker {
        final int index;
        final int killAt;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        volatile boolean killed;
        final AtomicInteger held = new AtomicInteger();
        volatile String lastHeld = "";
        private final OutputStream stdin;

        Worker(int index, int killAt, Process process) {
            this.index = index;
            this.killAt = killAt;
            this.process = process;
            this.stdin = process.getOutputStream();
            Thread reader = new Thread(this::read, "worker-" + index + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                    if (line.equals("READY")) {
                        ready.countDown();
                    } else if (line.startsWith("HELD ")) {
                        lastHeld = line.substring(5);
                        if (held.incrementAndGet() == killAt) {
                            process.destroyForcibly().waitFor(); // reaped, so its pid is dead for the others
                            killed = true;
                            return;
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                lines.add("reader: " + e);
            } finally {
                finished.countDown();
            }
        }

        void send(String line) {
            try {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new IllegalStateException("cannot talk to worker " + index, e);
            }
        }

        String stderr() {
            try (Stream<String> stream = Files.lines(temp.resolve("worker-" + index + ".err"))) {
                return String.join("\n", stream.toList());
            } catch (IOException e) {
                return "(no stderr: " + e + ")";
            }
        }

        @Override
        public String toString() {
            return "#" + index + " pid " + process.pid() + (killAt > 0 ? " (victim at HELD " + killAt + ")" : "");
        }
    }

    /** A deadline for the whole test, so that it stays well under a minute. */
    private static final class Deadline {
        private final long end;

        Deadline(int seconds) {
            this.end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        }

        long remaining() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()));
        }
    }
}
