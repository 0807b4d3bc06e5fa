package io.testbed.provider.ssh;

import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.lease.LeaseException;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive leases of inventory hosts, shared by every JVM on this machine through a directory (by default
 * {@code host-leases} beside the subnet lease directory), so that parallel test classes never share a host.
 *
 * <ul>
 *   <li>One index file ({@code hosts.json}) holds every lease; each change happens under an in-JVM lock and an
 *       exclusive file lock on {@code hosts.lock} and replaces the index atomically, so a set of hosts is leased all
 *       or nothing and a process killed at any point leaves the old or the new index.</li>
 *   <li>A lease is stale when its prefix has no {@code prefix.json} or its process is dead or its pid was recycled
 *       ({@link OwnerLiveness#deadReason(Path, long, Instant)}); stale leases are reclaimed on every acquisition.</li>
 *   <li>A busy pool is waited for, polling, up to a timeout; then a {@link LeaseException} names the holders.</li>
 * </ul>
 *
 * <p>Instances are cheap, immutable and thread-safe; any number may point at one directory.
 */
@API(status = API.Status.INTERNAL)
public final class HostLeaseStore {

    /** The directory name used beside the subnet lease directory. */
    public static final String DIRECTORY_NAME = "host-leases";

    private static final Logger LOG = LoggerFactory.getLogger(HostLeaseStore.class);
    private static final Duration MAX_POLL = Duration.ofMillis(500);

    private final LockedIndex index;

    /** A store in {@code directory}; nothing is created until the first operation. */
    public HostLeaseStore(Path directory) {
        this.index = new LockedIndex(Objects.requireNonNull(directory, "directory"));
    }

    /** The store beside the subnet lease directory {@code subnetLeaseDir} (e.g. {@code /var/tmp/testbed/leases}). */
    public static HostLeaseStore besideSubnetLeases(Path subnetLeaseDir) {
        return new HostLeaseStore(subnetLeaseDir.toAbsolutePath().normalize().resolveSibling(DIRECTORY_NAME));
    }

    /** The store directory. */
    public Path directory() {
        return index.directory();
    }

    /**
     * Leases exactly the hosts {@code hosts} to {@code holder}, all or nothing, waiting up to {@code timeout} while
     * any of them is held by a live process.
     *
     * @throws LeaseException naming each holder when they are still held after {@code timeout}
     * @throws IllegalArgumentException when the holder's prefix has no {@code prefix.json} or its process is not
     *                                  running, or no host is named
     */
    public List<HostLease> acquire(Owner holder, Collection<String> hosts, Duration timeout) {
        Set<String> wanted = new LinkedHashSet<>(hosts);
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no hosts to lease; name at least one");
        }
        return acquire(
                        holder,
                        timeout,
                        busy -> wanted.stream().anyMatch(busy::contains)
                                ? Optional.empty()
                                : Optional.of(List.copyOf(wanted)),
                        Function.identity(),
                        "hosts " + String.join(", ", wanted),
                        wanted)
                .leases();
    }

    /**
     * Matches {@code requests} against the hosts nobody holds and leases the match, waiting up to {@code timeout}
     * while every match needs a held host. The match is first computed ignoring leases, outside the lock, so a
     * request no host set can meet fails at once and facts are probed before the lock is taken (give the matcher
     * a {@link FactCache}, or facts are probed again under the lock).
     *
     * @throws NoMatchException when no set of hosts fits even when all are free
     * @throws LeaseException naming the holders of the fitting hosts when none is free after {@code timeout}
     */
    public Reservation reserve(Owner holder, HostMatcher matcher, List<MachineRequest> requests, Duration timeout) {
        matcher.match(requests);
        Set<String> inventoryHosts = matcher.inventory().hosts().stream()
                .map(InventoryHost::name)
                .collect(Collectors.toCollection(TreeSet::new));
        String what = "hosts for " + requests.stream().map(MachineRequest::name).collect(Collectors.joining(", "))
                + " (inventory " + matcher.inventory().source() + ")";
        Chosen<Match> chosen = acquire(
                holder, timeout, busy -> matcher.matchAvoiding(requests, busy), Match::hostNames, what, inventoryHosts);
        return new Reservation(chosen.choice(), chosen.leases());
    }

    /**
     * A leased match.
     *
     * @param match  the hosts each machine got
     * @param leases the leases, in request order; release them with {@link #release(String)} or {@link #release(HostLease)}
     */
    public record Reservation(Match match, List<HostLease> leases) {
        public Reservation {
            Objects.requireNonNull(match, "match");
            leases = List.copyOf(leases);
        }
    }

    private <T> Chosen<T> acquire(
            Owner holder,
            Duration timeout,
            Function<Set<String>, Optional<T>> chooser,
            Function<T, List<String>> hostsOf,
            String what,
            Set<String> relevant) {
        Objects.requireNonNull(holder, "holder");
        Path prefixDir = Path.of(holder.prefixPath()).toAbsolutePath().normalize();
        if (!Prefix.isPrefix(prefixDir)) {
            throw new IllegalArgumentException("Cannot lease hosts for prefix " + prefixDir + ": it has no prefix.json,"
                    + " so its leases would count as stale at once; create the prefix before leasing");
        }
        Instant startTime = ProcessHandle.of(holder.pid())
                .filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new IllegalArgumentException("Cannot lease hosts for pid " + holder.pid()
                        + ": no such running process; leases belong to a live JVM"))
                .info()
                .startInstant()
                .orElse(null);
        Deadline deadline = Deadline.after(timeout);
        long pause = 10;
        while (true) {
            List<HostLease> held = new ArrayList<>();
            Optional<Chosen<T>> chosen = index.update(leases -> {
                reclaim(leases);
                held.addAll(leases);
                Set<String> busy = leases.stream().map(HostLease::host).collect(Collectors.toSet());
                return chooser.apply(busy).map(choice -> {
                    Instant now = Instant.now();
                    List<HostLease> acquired = hostsOf.apply(choice).stream()
                            .map(host -> new HostLease(
                                    host, holder.prefixId(), prefixDir.toString(), holder.pid(), startTime, now))
                            .toList();
                    leases.addAll(acquired);
                    return new Chosen<>(choice, acquired);
                });
            });
            if (chosen.isPresent()) {
                LOG.debug("Leased hosts {} to prefix {}", chosen.get().hosts(), prefixDir);
                return chosen.get();
            }
            if (deadline.expired()) {
                throw timedOut(what, timeout, held, relevant);
            }
            pause(deadline, pause);
            pause = Math.min(pause * 2, MAX_POLL.toMillis());
        }
    }

    private record Chosen<T>(T choice, List<HostLease> leases) {
        List<String> hosts() {
            return leases.stream().map(HostLease::host).toList();
        }
    }

    private static LeaseException timedOut(String what, Duration timeout, List<HostLease> held, Set<String> relevant) {
        String nl = System.lineSeparator();
        List<HostLease> blocking =
                held.stream().filter(lease -> relevant.contains(lease.host())).toList();
        return new LeaseException("Timed out after " + timeout.toMillis() + " ms waiting for " + what
                + ": the hosts it needs are leased by other test runs:" + nl
                + blocking.stream().map(lease -> "  - " + lease.describe()).collect(Collectors.joining(nl)) + nl
                + "Wait for those runs to end (their leases are freed when they finish or die), lengthen the lease "
                + "timeout, or add hosts to the inventory.");
    }

    private static void pause(Deadline deadline, long millis) {
        try {
            deadline.pause(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("Interrupted while waiting for host leases", e);
        }
    }

    /**
     * Releases every lease of prefix {@code prefixId}. Idempotent.
     *
     * @return the leases released
     */
    public List<HostLease> release(String prefixId) {
        Objects.requireNonNull(prefixId, "prefixId");
        return index.update(leases -> {
            List<HostLease> released = leases.stream()
                    .filter(lease -> lease.prefixId().equals(prefixId))
                    .toList();
            leases.removeAll(released);
            return released;
        });
    }

    /** Releases one lease if the same prefix still holds it. Idempotent; returns whether it was held. */
    public boolean release(HostLease lease) {
        Objects.requireNonNull(lease, "lease");
        return index.update(leases -> leases.removeIf(
                held -> held.host().equals(lease.host()) && held.prefixId().equals(lease.prefixId())));
    }

    /** Every recorded lease, stale or not, by host name. Takes no lock (the index is replaced atomically). */
    public List<HostLease> list() {
        return index.read();
    }

    /** Removes every stale lease and returns them. */
    public List<HostLease> reclaimStale() {
        return index.update(HostLeaseStore::reclaim);
    }

    private static List<HostLease> reclaim(List<HostLease> leases) {
        List<HostLease> reclaimed = new ArrayList<>();
        for (Iterator<HostLease> it = leases.iterator(); it.hasNext(); ) {
            HostLease lease = it.next();
            Optional<String> reason =
                    OwnerLiveness.deadReason(Path.of(lease.prefixPath()), lease.pid(), lease.pidStartTime());
            if (reason.isPresent()) {
                LOG.info("Reclaiming stale lease of {}: {}", lease.describe(), reason.get());
                reclaimed.add(lease);
                it.remove();
            }
        }
        return reclaimed;
    }

    /** The live holder of each leased host, after reclaiming stale leases. */
    public Map<String, HostLease> holders() {
        return index.update(leases -> {
            reclaim(leases);
            return leases.stream()
                    .collect(Collectors.toMap(HostLease::host, lease -> lease, (a, b) -> a, java.util.TreeMap::new));
        });
    }
}
