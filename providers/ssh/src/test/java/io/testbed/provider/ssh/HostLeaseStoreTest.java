package io.testbed.provider.ssh;

import static io.testbed.provider.ssh.Hosts.host;
import static io.testbed.provider.ssh.Hosts.inventory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.lease.LeaseException;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLeaseStoreTest {

    @TempDir
    Path temp;

    private Owner owner(String name) {
        Prefix prefix = Prefix.create(temp.resolve("prefixes"), name);
        return new Owner(
                prefix.id(), prefix.dir().toString(), ProcessHandle.current().pid());
    }

    private HostLeaseStore store() {
        return new HostLeaseStore(temp.resolve("host-leases"));
    }

    @Test
    void leasesAllOrNothingAndReleases() {
        HostLeaseStore store = store();
        Owner a = owner("a");
        Owner b = owner("b");
        List<HostLease> leases = store.acquire(a, List.of("lab-2", "lab-1"), Duration.ZERO);
        assertThat(leases).extracting(HostLease::host).containsExactly("lab-2", "lab-1");
        assertThat(leases.get(0).owner()).isEqualTo(a);
        assertThat(leases.get(0).pidStartTime())
                .isEqualTo(ProcessHandle.current().info().startInstant().orElse(null));
        assertThat(store.list()).extracting(HostLease::host).containsExactly("lab-1", "lab-2");
        assertThatThrownBy(() -> store.acquire(b, List.of("lab-3", "lab-1"), Duration.ZERO))
                .isInstanceOf(LeaseException.class)
                .hasMessage(
                        "Timed out after 0 ms waiting for hosts lab-3, lab-1: the hosts it needs are leased by other "
                                + "test runs:" + System.lineSeparator() + "  - "
                                + leases.get(1).describe()
                                + System.lineSeparator()
                                + "Wait for those runs to end (their leases are freed when they "
                                + "finish or die), lengthen the lease timeout, or add hosts to the inventory.");
        assertThat(store.list())
                .extracting(HostLease::host)
                .as("lab-3 not taken")
                .containsExactly("lab-1", "lab-2");
        assertThat(store.holders()).containsOnlyKeys("lab-1", "lab-2");
        assertThat(store.release(leases.get(0))).isTrue();
        assertThat(store.release(leases.get(0))).isFalse();
        assertThat(store.release(a.prefixId())).extracting(HostLease::host).containsExactly("lab-1");
        assertThat(store.release(a.prefixId())).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThat(HostLeaseStore.besideSubnetLeases(Path.of("/var/tmp/testbed/leases"))
                        .directory())
                .isEqualTo(Path.of("/var/tmp/testbed/host-leases"));
    }

    @Test
    void waitsForABusyHostUntilItIsReleased() throws Exception {
        HostLeaseStore store = store();
        Owner a = owner("a");
        Owner b = owner("b");
        store.acquire(a, List.of("lab-1"), Duration.ZERO);
        CompletableFuture<List<HostLease>> waiting =
                CompletableFuture.supplyAsync(() -> store.acquire(b, List.of("lab-1"), Duration.ofSeconds(30)));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        store.release(a.prefixId());
        assertThat(waiting.get(30, TimeUnit.SECONDS))
                .extracting(HostLease::prefixId)
                .containsExactly(b.prefixId());
    }

    @Test
    void reclaimsLeasesOfDeadProcessesAndDeletedPrefixes() throws Exception {
        HostLeaseStore store = store();
        Owner alive = owner("alive");
        Owner gone = owner("gone");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        store.acquire(gone, List.of("lab-2"), Duration.ZERO);
        new LockedIndex(store.directory())
                .update(leases -> leases.add(new HostLease(
                        "lab-1", alive.prefixId(), alive.prefixPath(), dead.pid(), Instant.now(), Instant.now())));
        Files.delete(Path.of(gone.prefixPath(), "prefix.json"));
        assertThat(store.list()).hasSize(2);
        List<HostLease> got = store.acquire(alive, List.of("lab-1", "lab-2"), Duration.ZERO);
        assertThat(got)
                .extracting(HostLease::pid)
                .containsOnly(ProcessHandle.current().pid());
        assertThat(store.list()).extracting(HostLease::prefixId).containsOnly(alive.prefixId());
        assertThat(store.reclaimStale()).isEmpty();
    }

    @Test
    void refusesHoldersThatWouldBeStaleAtOnce() {
        HostLeaseStore store = store();
        Owner noPrefix = new Owner(
                "x", temp.resolve("nowhere").toString(), ProcessHandle.current().pid());
        assertThatThrownBy(() -> store.acquire(noPrefix, List.of("lab-1"), Duration.ZERO))
                .hasMessage("Cannot lease hosts for prefix " + temp.resolve("nowhere") + ": it has no prefix.json, so "
                        + "its leases would count as stale at once; create the prefix before leasing");
        assertThatThrownBy(() -> store.acquire(owner("a"), List.of(), Duration.ZERO))
                .hasMessage("no hosts to lease; name at least one");
    }

    @Test
    void threadsNeverShareAHost() throws Exception {
        HostLeaseStore store = store();
        List<String> pool = List.of("lab-1", "lab-2", "lab-3");
        Map<String, String> inUse = new ConcurrentHashMap<>();
        AtomicInteger acquisitions = new AtomicInteger();
        List<String> overlaps = java.util.Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            Owner me = owner("w" + w);
            Random random = new Random(w);
            workers.add(CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < 15; i++) {
                            List<String> wanted = new ArrayList<>(pool);
                            java.util.Collections.shuffle(wanted, random);
                            List<HostLease> leases =
                                    store.acquire(me, wanted.subList(0, 1 + random.nextInt(2)), Duration.ofSeconds(60));
                            acquisitions.incrementAndGet();
                            leases.forEach(lease -> {
                                String other = inUse.putIfAbsent(lease.host(), me.prefixId());
                                if (other != null) {
                                    overlaps.add(lease.host() + " held by " + other + " and " + me.prefixId());
                                }
                            });
                            try {
                                Thread.sleep(random.nextInt(3)); // hold a moment, so that an overlap would be seen
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                            leases.forEach(lease -> inUse.remove(lease.host()));
                            store.release(me.prefixId());
                        }
                    },
                    java.util.concurrent.Executors.newCachedThreadPool()));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertThat(overlaps).isEmpty();
        assertThat(acquisitions.get()).isEqualTo(90);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void reservesAMatchOfFreeHostsAndFailsAtOnceWhenNothingCouldEverFit() throws Exception {
        HostLeaseStore store = store();
        HostMatcher matcher = new HostMatcher(inventory(
                host("lab-1").roles("web"),
                host("lab-2").roles("db"),
                host("lab-3").roles("web")));
        List<MachineRequest> web = List.of(MachineRequest.of("web").withRoles("web"));
        Owner a = owner("a");
        Owner b = owner("b");
        Owner c = owner("c");
        HostLeaseStore.Reservation first = store.reserve(a, matcher, web, Duration.ZERO);
        HostLeaseStore.Reservation second = store.reserve(b, matcher, web, Duration.ZERO);
        assertThat(first.match().displayName()).isEqualTo("web=lab-1");
        assertThat(second.match().displayName()).isEqualTo("web=lab-3");
        assertThat(second.leases()).extracting(HostLease::host).containsExactly("lab-3");
        assertThatThrownBy(() -> store.reserve(c, matcher, web, Duration.ofMillis(100)))
                .isInstanceOf(LeaseException.class)
                .hasMessageStartingWith("Timed out after 100 ms waiting for hosts for web (inventory lab.yaml): the "
                        + "hosts it needs are leased by other test runs:")
                .hasMessageContaining(first.leases().get(0).describe())
                .hasMessageContaining(second.leases().get(0).describe());
        assertThatThrownBy(() -> store.reserve(
                        c, matcher, List.of(MachineRequest.of("gpu").withRoles("gpu")), Duration.ofSeconds(30)))
                .isInstanceOf(NoMatchException.class)
                .hasMessageContaining("lab-2: lacks role gpu (has db)");
        CompletableFuture<HostLeaseStore.Reservation> waiting =
                CompletableFuture.supplyAsync(() -> store.reserve(c, matcher, web, Duration.ofSeconds(30)));
        Thread.sleep(100);
        store.release(b.prefixId());
        assertThat(waiting.get(30, TimeUnit.SECONDS).match().displayName()).isEqualTo("web=lab-3");
    }
}
