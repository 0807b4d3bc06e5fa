package io.testbed.core.lease;

import io.testbed.core.spi.Owner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * One JVM of {@link LeaseStoreMultiProcessIT}: acquires and releases leases in a loop against a shared store, and
 * proves exclusivity with a marker file per subnet that holds the pid and start time of the process that holds it.
 *
 * <p>Arguments: {@code storeDir markersDir prefixRoot poolCidr holdMinMs holdMaxMs seed}. Protocol on stdout:
 * {@code READY}, then (after {@code GO} on stdin) {@code HELD <subnets>} per acquisition, {@code DONE <stats>} after
 * {@code STOP} on stdin; {@code FAIL <reason>} with exit code 1 when an overlap or a lost lease is seen.
 */
public final class LeaseWorker {

    private final Path markers;
    private final String me;
    private int counter;

    private LeaseWorker(Path markers) {
        this.markers = markers;
        ProcessHandle self = ProcessHandle.current();
        this.me = self.pid() + " "
                + self.info().startInstant().map(Object::toString).orElse("-");
    }

    public static void main(String[] args) throws Exception {
        Path storeDir = Path.of(args[0]);
        Path markers = Path.of(args[1]);
        Path prefixRoot = Path.of(args[2]);
        SubnetPool pool = SubnetPool.of(args[3]);
        int holdMin = Integer.parseInt(args[4]);
        int holdMax = Integer.parseInt(args[5]);
        Random random = new Random(Long.parseLong(args[6]));

        Owner owner = TestPrefixes.create(
                prefixRoot, "worker", ProcessHandle.current().pid());
        LeaseStore store = new LeaseStore(storeDir, pool, LocalSubnetProbe.none());
        LeaseWorker worker = new LeaseWorker(markers);

        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.equals("GO")) {
                        go.countDown();
                    } else if (line.equals("STOP")) {
                        stop.countDown();
                    }
                }
            } catch (IOException e) {
                // parent gone: stop
            }
            go.countDown();
            stop.countDown();
        });
        stdin.setDaemon(true);
        stdin.start();
        say("READY");
        go.await();

        int acquisitions = 0;
        int exhausted = 0;
        while (stop.getCount() > 0) {
            List<Lease> leases;
            try {
                leases = store.acquire(owner, 1 + random.nextInt(3));
            } catch (LeaseException e) {
                if (!e.getMessage().startsWith("Lease pool ")) {
                    throw e;
                }
                exhausted++;
                Thread.sleep(1 + random.nextInt(5));
                continue;
            }
            acquisitions++;
            for (Lease lease : leases) {
                worker.claim(lease.subnet());
            }
            say("HELD " + leases.stream().map(Lease::subnet).collect(Collectors.joining(",")));
            Thread.sleep(holdMin + random.nextInt(holdMax - holdMin + 1));
            List<Lease> recorded = store.list().stream()
                    .filter(l -> l.prefixId().equals(owner.prefixId()))
                    .toList();
            if (!recorded.equals(leases)) {
                fail("LOST: held " + leases + " but the store records " + recorded);
            }
            for (Lease lease : leases) {
                worker.unclaim(lease.subnet());
            }
            List<Lease> released = store.release(owner.prefixId());
            if (!released.equals(leases)) {
                fail("LOST: released " + released + " instead of " + leases);
            }
        }
        say("DONE acquisitions=" + acquisitions + " exhausted=" + exhausted);
        System.exit(0);
    }

    /** Puts this process's marker on {@code subnet}; an existing marker of a live process proves an overlap. */
    private void claim(String subnet) throws IOException {
        Path marker = marker(subnet);
        for (int attempt = 0; attempt < 100; attempt++) {
            Path temp = markers.resolve(".tmp-" + ProcessHandle.current().pid() + "-" + counter++);
            Files.writeString(temp, me);
            try {
                Files.createLink(marker, temp); // atomic, fails when a marker exists
                return;
            } catch (FileAlreadyExistsException e) {
                // inspect below
            } finally {
                Files.deleteIfExists(temp);
            }
            Optional<String> existing = read(marker);
            if (existing.isEmpty()) {
                continue;
            }
            if (alive(existing.get())) {
                fail("OVERLAP: " + subnet + " is also held by live process " + existing.get());
            }
            // a dead holder's marker: bury it, but notice if a live process replaced it meanwhile
            Path tomb = markers.resolve(".tomb-" + ProcessHandle.current().pid() + "-" + counter++);
            try {
                Files.move(marker, tomb, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                continue;
            }
            String buried = Files.readString(tomb);
            Files.delete(tomb);
            if (!buried.equals(existing.get()) && alive(buried)) {
                fail("OVERLAP: " + subnet + " was claimed meanwhile by live process " + buried);
            }
        }
        fail("could not claim the marker of " + subnet);
    }

    /** Removes this process's marker; someone else's marker there proves an overlap. */
    private void unclaim(String subnet) throws IOException {
        Path marker = marker(subnet);
        Optional<String> existing = read(marker);
        if (!existing.equals(Optional.of(me))) {
            fail("OVERLAP: my marker on " + subnet + " was replaced by " + existing.orElse("nothing"));
        }
        Files.delete(marker);
    }

    private Path marker(String subnet) {
        return markers.resolve(subnet.replace('/', '_'));
    }

    private static Optional<String> read(Path marker) throws IOException {
        try {
            return Optional.of(Files.readString(marker));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Whether the process named by a marker ({@code pid start}) still runs. */
    private static boolean alive(String marker) {
        String[] parts = marker.split(" ");
        return ProcessHandle.of(Long.parseLong(parts[0]))
                .filter(ProcessHandle::isAlive)
                .filter(process -> parts[1].equals("-")
                        || process.info()
                                .startInstant()
                                .map(Object::toString)
                                .orElse("-")
                                .equals(parts[1]))
                .isPresent();
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void fail(String reason) {
        say("FAIL " + reason);
        System.exit(1);
    }
}
