package io.testbed.core.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.lease.LocalSubnetProbe.LocalSubnet;
import io.testbed.core.spi.Owner;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseStoreTest {

    /** 8 /24s: 198.19.240.0/24 … 198.19.247.0/24. */
    private static final SubnetPool POOL = SubnetPool.of("198.19.240.0/21");

    @TempDir
    Path temp;

    private Path storeDir;
    private Path prefixes;
    private LeaseStore store;

    @BeforeEach
    void setUp() {
        storeDir = temp.resolve("leases");
        prefixes = temp.resolve("prefixes");
        store = new LeaseStore(storeDir, POOL, LocalSubnetProbe.none());
    }

    private static List<String> subnets(List<Lease> leases) {
        return leases.stream().map(Lease::subnet).toList();
    }

    @Test
    void acquiresTheLowestFreeSubnetsAndReleasesThem() {
        Owner a = TestPrefixes.create(prefixes, "a");
        Owner b = TestPrefixes.create(prefixes, "b");

        List<Lease> first = store.acquire(a, 3);
        List<Lease> second = store.acquire(b, 2);

        assertThat(subnets(first)).containsExactly("198.19.240.0/24", "198.19.241.0/24", "198.19.242.0/24");
        assertThat(subnets(second)).containsExactly("198.19.243.0/24", "198.19.244.0/24");
        Lease lease = first.get(0);
        assertThat(lease.prefixId()).isEqualTo(a.prefixId());
        assertThat(lease.prefixPath()).isEqualTo(a.prefixPath());
        assertThat(lease.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(lease.pidStartTime())
                .isEqualTo(ProcessHandle.current().info().startInstant().orElseThrow());
        assertThat(lease.acquired()).isBeforeOrEqualTo(Instant.now());
        assertThat(store.list()).hasSize(5);

        assertThat(store.release(a.prefixId())).isEqualTo(first);
        assertThat(store.release(a.prefixId())).isEmpty();
        assertThat(subnets(store.acquire(b, 1))).containsExactly("198.19.240.0/24");
        assertThat(subnets(store.list())).containsExactly("198.19.240.0/24", "198.19.243.0/24", "198.19.244.0/24");
    }

    @Test
    void leasesSurviveInTheIndexFileForOtherStoreInstances() throws Exception {
        Owner a = TestPrefixes.create(prefixes, "a");
        List<Lease> leases = store.acquire(a, 2);

        LeaseStore other = new LeaseStore(storeDir, POOL, LocalSubnetProbe.none());
        assertThat(other.list()).isEqualTo(leases);
        assertThat(Files.readString(storeDir.resolve(LeaseStore.INDEX_FILE)))
                .contains(
                        "\"version\" : 1",
                        "\"subnet\" : \"198.19.240.0/24\"",
                        "\"prefixId\" : \"" + a.prefixId() + "\"",
                        "\"pidStartTime\"");
        try (var files = Files.list(storeDir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder(LeaseStore.INDEX_FILE, "leases.lock"); // no temporary file left behind
        }
        assertThat(subnets(other.acquire(a, 1))).containsExactly("198.19.242.0/24");
    }

    @Test
    void releasesASingleLeaseOnlyForItsHolder() {
        Owner a = TestPrefixes.create(prefixes, "a");
        Owner b = TestPrefixes.create(prefixes, "b");
        List<Lease> leases = store.acquire(a, 2);
        Lease impostor = new Lease(leases.get(0).subnet(), b.prefixId(), b.prefixPath(), b.pid(), null, Instant.now());

        assertThat(store.release(impostor)).isFalse();
        assertThat(store.release(leases.get(0))).isTrue();
        assertThat(store.release(leases.get(0))).isFalse();
        assertThat(store.list()).containsExactly(leases.get(1));
    }

    @Test
    void exhaustionIsAllOrNothingAndNamesTheHolders() {
        Owner a = TestPrefixes.create(prefixes, "a");
        Owner b = TestPrefixes.create(prefixes, "b");
        Owner c = TestPrefixes.create(prefixes, "c");
        List<Lease> held = new ArrayList<>(store.acquire(a, 5));
        held.addAll(store.acquire(b, 2));

        assertThatThrownBy(() -> store.acquire(c, 2))
                .isInstanceOf(LeaseException.class)
                .hasMessage(String.join(
                        System.lineSeparator(),
                        "Lease pool 198.19.240.0/21 in /24s (8 subnets) is exhausted: prefix " + c.prefixPath()
                                + " needs 2 subnets but 1 is free.",
                        "Held by live prefixes:",
                        "  - prefix " + a.prefixPath() + " (id " + a.prefixId() + "), pid " + a.pid() + ", since "
                                + held.get(0).acquired() + ": 198.19.240.0/24, 198.19.241.0/24, 198.19.242.0/24, "
                                + "198.19.243.0/24, 198.19.244.0/24",
                        "  - prefix " + b.prefixPath() + " (id " + b.prefixId() + "), pid " + b.pid() + ", since "
                                + held.get(5).acquired() + ": 198.19.245.0/24, 198.19.246.0/24",
                        "Destroy prefixes you no longer need (or let their JVMs end), or configure a larger pool with "
                                + "testbed.lease.pool (default 198.18.0.0/15) or longer subnets with "
                                + "testbed.lease.subnetLength."));
        assertThat(store.list()).isEqualTo(held);
        assertThat(subnets(store.acquire(c, 1))).containsExactly("198.19.247.0/24");
    }

    @Test
    void exhaustionMentionsSubnetsTheHostUses() {
        LeaseStore crowded = new LeaseStore(
                storeDir,
                SubnetPool.of("198.19.254.0/23"),
                () -> List.of(new LocalSubnet("198.19.255.1/24", "address 198.19.255.1/24 on docker0")));
        Owner a = TestPrefixes.create(prefixes, "a");
        assertThat(subnets(crowded.acquire(a, 1))).containsExactly("198.19.254.0/24");

        assertThatThrownBy(() -> crowded.acquire(a, 1))
                .isInstanceOf(LeaseException.class)
                .hasMessageContaining("needs 1 subnet but 0 are free.")
                .hasMessageContaining(System.lineSeparator() + "Used by the host: address 198.19.255.1/24 on docker0"
                        + System.lineSeparator());
    }

    @Test
    void skipsSubnetsTheHostAlreadyUses() {
        LeaseStore withHost = new LeaseStore(
                storeDir,
                POOL,
                () -> List.of(
                        new LocalSubnet("198.19.241.1/24", "address 198.19.241.1/24 on docker0"),
                        new LocalSubnet("198.19.242.0/23", "route 198.19.242.0/23 dev tun0"),
                        new LocalSubnet("fe80::1/64", "address fe80::1/64 on eth0"),
                        new LocalSubnet("garbage", "nonsense")));
        Owner a = TestPrefixes.create(prefixes, "a");

        assertThat(subnets(withHost.acquire(a, 3)))
                .containsExactly("198.19.240.0/24", "198.19.244.0/24", "198.19.245.0/24");
        assertThatThrownBy(() -> withHost.acquireExact(a, "198.19.243.128/25"))
                .isInstanceOf(LeaseException.class)
                .hasMessage("Cannot lease subnet 198.19.243.128/25 for prefix " + a.prefixPath() + ": the host already "
                        + "uses it (route 198.19.242.0/23 dev tun0). Declare another subnet (or none, to lease a free "
                        + "one)");
    }

    @Test
    void exactAcquireRefusesOverlapsNamingTheHolder() {
        Owner a = TestPrefixes.create(prefixes, "a");
        Owner b = TestPrefixes.create(prefixes, "b");
        Lease held = store.acquire(a, 1).get(0);

        assertThatThrownBy(() -> store.acquireExact(b, "198.19.240.128/25"))
                .isInstanceOf(LeaseException.class)
                .hasMessage("Cannot lease subnet 198.19.240.128/25 for prefix " + b.prefixPath() + ": it overlaps "
                        + "198.19.240.0/24 held by prefix " + a.prefixPath() + " (id " + a.prefixId() + "), pid "
                        + a.pid() + ", since " + held.acquired() + ". Declare another subnet (or none, to lease a free "
                        + "one), or destroy that prefix if it is no longer needed");

        Lease exact = store.acquireExact(b, "198.19.241.0/255.255.255.0");
        assertThat(exact.subnet()).isEqualTo("198.19.241.0/24");
        assertThat(exact.prefixId()).isEqualTo(b.prefixId());
        assertThatThrownBy(() -> store.acquireExact(a, "198.19.240.0/23"))
                .isInstanceOf(LeaseException.class)
                .hasMessageContaining("it overlaps 198.19.240.0/24 held by prefix " + a.prefixPath())
                .hasMessageContaining("; 198.19.241.0/24 held by prefix " + b.prefixPath());
    }

    @Test
    void exactLeasesOfAnyLengthAreSkippedByLaterAcquisitions() {
        Owner a = TestPrefixes.create(prefixes, "a");
        store.acquireExact(a, "198.19.240.0/23");
        store.acquireExact(a, "198.19.242.64/26");

        assertThat(subnets(store.acquire(a, 2))).containsExactly("198.19.243.0/24", "198.19.244.0/24");
        assertThat(subnets(store.list()))
                .containsExactly("198.19.240.0/23", "198.19.242.64/26", "198.19.243.0/24", "198.19.244.0/24");
    }

    @Test
    void exactAcquireRejectsSubnetsOutsideThePoolOrMalformed() {
        Owner a = TestPrefixes.create(prefixes, "a");
        assertThatThrownBy(() -> store.acquireExact(a, "198.18.0.0/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot lease subnet 198.18.0.0/24: it lies outside the lease pool 198.19.240.0/21; declare "
                                + "a subnet inside the pool, or configure testbed.lease.pool");
        assertThatThrownBy(() -> store.acquireExact(a, "198.19.240.1/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot lease subnet: '198.19.240.1/24' has host bits set; did you mean 198.19.240.0/24?");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void refusesHoldersThatAreNotLivePrefixes() throws Exception {
        Owner a = TestPrefixes.create(prefixes, "a");
        Files.delete(Path.of(a.prefixPath(), "prefix.json"));
        assertThatThrownBy(() -> store.acquire(a, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Cannot lease for prefix " + a.prefixPath() + ": it has no prefix.json, so its leases would "
                                + "count as stale at once; create the prefix (Prefix.create) before leasing");
        Owner dead = TestPrefixes.create(prefixes, "dead", deadPid());
        assertThatThrownBy(() -> store.acquire(dead, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot lease for pid " + dead.pid() + ": no such running process");
        assertThatThrownBy(() -> store.acquire(TestPrefixes.create(prefixes, "b"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be at least 1, was 0");
    }

    @Test
    void reclaimsLeasesOfADeadProcessOnAcquire() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            Owner childOwner = TestPrefixes.create(prefixes, "child", child.pid());
            List<Lease> orphaned = store.acquire(childOwner, 8);
            assertThat(orphaned.get(0).pid()).isEqualTo(child.pid());
            assertThat(orphaned.get(0).pidStartTime())
                    .isEqualTo(child.info().startInstant().orElseThrow());
            Owner a = TestPrefixes.create(prefixes, "a");
            assertThatThrownBy(() -> store.acquire(a, 1)).isInstanceOf(LeaseException.class);

            child.destroyForcibly().waitFor();

            assertThat(subnets(store.acquire(a, 8)))
                    .containsExactlyElementsOf(POOL.subnets().toList());
            assertThat(store.list()).allMatch(lease -> lease.prefixId().equals(a.prefixId()));
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void reclaimsLeasesWhosePrefixDirectoryIsGone() throws Exception {
        Owner gone = TestPrefixes.create(prefixes, "gone");
        Owner kept = TestPrefixes.create(prefixes, "kept");
        List<Lease> goneLeases = store.acquire(gone, 2);
        List<Lease> keptLeases = store.acquire(kept, 1);
        Files.delete(Path.of(gone.prefixPath(), "prefix.json"));
        Files.delete(Path.of(gone.prefixPath()));

        assertThat(LeaseStore.staleReason(goneLeases.get(0)))
                .hasValue("prefix directory " + gone.prefixPath() + " is gone (no prefix.json)");
        assertThat(store.reclaimStale()).isEqualTo(goneLeases);
        assertThat(store.list()).isEqualTo(keptLeases);
        assertThat(store.reclaimStale()).isEmpty();
    }

    @Test
    void reclaimsLeasesWhosePidWasRecycledOrIsDead() {
        Owner me = TestPrefixes.create(prefixes, "me");
        Instant myStart = ProcessHandle.current().info().startInstant().orElseThrow();
        long deadPid = deadPid();
        Lease recycled = new Lease(
                "198.19.240.0/24", me.prefixId(), me.prefixPath(), me.pid(), myStart.minusSeconds(3600), Instant.now());
        Lease deadHolder =
                new Lease("198.19.241.0/24", me.prefixId(), me.prefixPath(), deadPid, myStart, Instant.now());
        Lease jitter = new Lease(
                "198.19.242.0/24", me.prefixId(), me.prefixPath(), me.pid(), myStart.plusSeconds(2), Instant.now());
        Lease unknownStart =
                new Lease("198.19.243.0/24", me.prefixId(), me.prefixPath(), me.pid(), null, Instant.now());
        store.seed(List.of(recycled, deadHolder, jitter, unknownStart));

        assertThat(LeaseStore.staleReason(recycled))
                .hasValue("pid " + me.pid() + " now belongs to a process started at " + myStart
                        + ", not the holder started at " + myStart.minusSeconds(3600));
        assertThat(LeaseStore.staleReason(deadHolder)).hasValue("process " + deadPid + " is dead");
        assertThat(store.reclaimStale()).containsExactly(recycled, deadHolder);
        assertThat(store.list()).containsExactly(jitter, unknownStart);
    }

    @Test
    void reportsAnUnreadableIndexInsteadOfForgettingLeases() throws Exception {
        Owner a = TestPrefixes.create(prefixes, "a");
        store.acquire(a, 1);
        Files.writeString(storeDir.resolve(LeaseStore.INDEX_FILE), "{ not json");

        assertThatThrownBy(() -> store.acquire(a, 1))
                .isInstanceOf(LeaseException.class)
                .hasMessageStartingWith(
                        "The lease store " + storeDir.toRealPath().resolve(LeaseStore.INDEX_FILE) + " is unreadable (")
                .hasMessageEndingWith("); nothing was leased. Move it aside once no Testbed JVM runs on this host "
                        + "(leases of live prefixes are then forgotten, so destroy those prefixes too)");
        assertThat(Files.readString(storeDir.resolve(LeaseStore.INDEX_FILE))).isEqualTo("{ not json");
    }

    @Test
    void manyThreadsAcquireAtOnceWithoutOverlap() throws Exception {
        int threads = 16;
        int rounds = 20;
        Map<String, String> holders = new ConcurrentHashMap<>();
        List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger acquisitions = new AtomicInteger();
        AtomicInteger exhausted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long began = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Owner owner = TestPrefixes.create(prefixes, "t" + t);
                LeaseStore own = new LeaseStore(storeDir, POOL, LocalSubnetProbe.none()); // one instance per thread
                Random random = new Random(t);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; ) {
                        List<Lease> leases;
                        try {
                            leases = own.acquire(owner, 1 + random.nextInt(3));
                        } catch (LeaseException e) {
                            exhausted.incrementAndGet();
                            Thread.yield();
                            continue;
                        }
                        round++;
                        acquisitions.incrementAndGet();
                        for (Lease lease : leases) {
                            String previous = holders.putIfAbsent(lease.subnet(), owner.prefixId());
                            if (previous != null) {
                                overlaps.add(lease.subnet() + " held by " + previous + " and " + owner.prefixId());
                            }
                        }
                        leases.forEach(lease -> holders.remove(lease.subnet(), owner.prefixId()));
                        assertThat(own.release(owner.prefixId())).containsExactlyInAnyOrderElementsOf(leases);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                "%d threads: %d acquisitions, %d refused as exhausted, in %d ms%n",
                threads, acquisitions.get(), exhausted.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
        assertThat(overlaps).isEmpty();
        assertThat(acquisitions.get()).isEqualTo(threads * rounds);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void systemProbeSeesTheLoopbackAddress() {
        assertThat(LocalSubnetProbe.system().subnetsInUse())
                .contains(new LocalSubnet("127.0.0.1/8", "address 127.0.0.1/8 on lo", "lo"));
    }

    @Test
    void parsesLinuxRoutesIgnoringTheDefaultRoute() throws Exception {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "kernel hex is host order");
        Path routes = temp.resolve("route");
        Files.writeString(
                routes,
                String.join(
                        "\n",
                        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                        "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                        "docker0\t00FF13C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                        "tun0\t0000F0C6\t00000000\t0001\t0\t0\t0\t0000FEFF\t0\t0\t0",
                        ""));

        assertThat(SystemLocalSubnetProbe.routes(routes))
                .containsExactly(
                        new LocalSubnet("192.0.2.0/24", "route 192.0.2.0/24 dev eth0", "eth0"),
                        new LocalSubnet("198.19.255.0/24", "route 198.19.255.0/24 dev docker0", "docker0"),
                        new LocalSubnet("198.240.0.0/15", "route 198.240.0.0/15 dev tun0", "tun0"));
        assertThat(SystemLocalSubnetProbe.routes(temp.resolve("missing"))).isEmpty();
    }

    /** The pid of a process that has ended. */
    private static long deadPid() {
        try {
            Process process = new ProcessBuilder("true").start();
            process.waitFor();
            return process.pid();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
