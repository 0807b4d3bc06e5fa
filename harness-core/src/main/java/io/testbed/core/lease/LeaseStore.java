package io.testbed.core.lease;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apiguardian.api.API;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host-wide record of which subnet of the {@link SubnetPool} belongs to which prefix, shared by every JVM on
 * the host through a directory (default {@value #DEFAULT_DIRECTORY}, configured with {@value #DIRECTORY_KEY}).
 *
 * <p><b>Format.</b> One index file, {@code leases.json}, holds every lease; a separate {@code leases.lock} is
 * locked around each read-modify-write. One index rather than a file per subnet because an acquisition of several
 * subnets must be all or nothing and explicit subnets may have any length, so every operation needs the whole
 * picture anyway; with one file each change is a single atomic rename, and a process killed at any point leaves
 * either the old or the new index, never half of an acquisition. The file stays small (512 leases ≈ 150 KB).
 *
 * <p><b>Concurrency.</b> Across processes an exclusive {@link FileChannel#lock() file lock} on the lock file
 * serialises writers (the kernel drops it when a holder dies). Within one JVM, file locks are per process (a second
 * lock throws {@link java.nio.channels.OverlappingFileLockException}), so an in-JVM lock per store directory is
 * taken first ({@link io.testbed.core.internal.support.ExclusiveLock}). Writes go to a temporary file that is
 * fsync'd, renamed over the index, and the directory fsync'd, so a SIGKILL or power loss mid-write never loses or
 * corrupts a lease ({@link LeaseIndex}). Reads ({@link #list()}) take no lock.
 *
 * <p><b>Staleness.</b> A lease is stale when its prefix directory has no {@code prefix.json}, its process is dead,
 * or its pid now belongs to a process that started at another time. Stale leases are reclaimed on every
 * acquisition and by {@link #reclaimStale()}.
 *
 * <p><b>Host subnets.</b> Subnets that overlap an address or route of the host (as told by the
 * {@link LocalSubnetProbe}) are never leased.
 *
 * <p>Instances are cheap, immutable and thread-safe; any number may point at the same directory.
 */
@API(status = API.Status.INTERNAL)
public final class LeaseStore {

    /** Configuration key of the store directory. */
    public static final String DIRECTORY_KEY = TestbedConfig.LEASE_DIR;
    /** The default store directory: survives reboots of the JVM but not necessarily of the host, as leases. */
    public static final String DEFAULT_DIRECTORY = TestbedConfig.DEFAULT_LEASE_DIR;
    /** How long an operation waits for the store's lock before it gives up. */
    public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How far a live process's start time may differ from the one recorded in its lease and still be the holder.
     * The JDK derives start times from the host's boot time, which moves when the wall clock is stepped, so two
     * JVMs may see the same process start a little apart. Erring this way only keeps a lease whose pid was recycled
     * within seconds of the holder's start; erring the other way would hand a live lease out twice.
     */
    static final String INDEX_FILE = LeaseIndex.INDEX_FILE;

    private static final Logger LOG = LoggerFactory.getLogger(LeaseStore.class);

    private final Path directory;
    private final SubnetPool pool;
    private final LocalSubnetProbe probe;
    private final LeaseIndex index;

    /**
     * A store in {@code directory} leasing from {@code pool}, skipping what {@code probe} reports in use. Creates
     * nothing until the first operation.
     */
    public LeaseStore(Path directory, SubnetPool pool, LocalSubnetProbe probe) {
        this.directory =
                Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
        this.pool = Objects.requireNonNull(pool, "pool");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.index = new LeaseIndex(this.directory, LOCK_TIMEOUT);
    }

    /**
     * The store configured by {@value #DIRECTORY_KEY}, {@value SubnetPool#POOL_KEY} and
     * {@value SubnetPool#SUBNET_LENGTH_KEY}, probing the real host.
     *
     * @throws IllegalArgumentException when the pool configuration is invalid
     */
    public static LeaseStore fromConfiguration(Map<String, String> configuration) {
        return new LeaseStore(
                Path.of(configuration.getOrDefault(DIRECTORY_KEY, DEFAULT_DIRECTORY)),
                SubnetPool.fromConfiguration(configuration),
                LocalSubnetProbe.system());
    }

    /** The absolute store directory. */
    public Path directory() {
        return directory;
    }

    /** The pool {@link #acquire} leases from. */
    public SubnetPool pool() {
        return pool;
    }

    /**
     * Leases {@code count} free subnets of the pool to {@code holder}, lowest first, all or nothing. Reclaims stale
     * leases first; skips subnets that overlap a live lease or a subnet the host uses.
     *
     * @param holder the prefix and process that will hold the leases; the prefix must exist ({@code prefix.json})
     *               and the process must be running
     * @return the new leases, lowest subnet first
     * @throws LeaseException when fewer than {@code count} subnets are free, naming the holders and what to do
     * @throws IllegalArgumentException when {@code count} is not positive or the holder is not a live prefix
     */
    public List<Lease> acquire(Owner holder, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        Owner owner = checkHolder(holder);
        Instant startTime = startTime(owner.pid());
        List<PoolExhaustion.UsedSubnet> hostUsed = hostSubnets();
        return index.update(leases -> {
            reclaim(leases);
            Taken taken = new Taken(leases, hostUsed);
            List<IPAddress> chosen = new ArrayList<>(count);
            for (Iterator<? extends IPAddress> it = pool.subnetIterator(); it.hasNext() && chosen.size() < count; ) {
                IPAddress subnet = it.next();
                if (!taken.overlaps(subnet)) {
                    chosen.add(subnet);
                }
            }
            if (chosen.size() < count) {
                throw PoolExhaustion.exception(pool, owner, count, chosen.size(), leases, hostUsed);
            }
            Instant now = Instant.now();
            List<Lease> acquired = chosen.stream()
                    .map(subnet -> new Lease(
                            Subnets.canonical(subnet),
                            owner.prefixId(),
                            owner.prefixPath(),
                            owner.pid(),
                            startTime,
                            now))
                    .toList();
            leases.addAll(acquired);
            LOG.debug(
                    "Leased {} to prefix {}",
                    acquired.stream().map(Lease::subnet).toList(),
                    owner.prefixPath());
            return acquired;
        });
    }

    /**
     * Leases the explicit subnet {@code cidr} to {@code holder}, after reclaiming stale leases.
     *
     * @throws LeaseException when a live lease or a host subnet overlaps it, naming the holder and what to do
     * @throws IllegalArgumentException when {@code cidr} is not a subnet inside the pool or the holder is not a
     *                                  live prefix
     */
    public Lease acquireExact(Owner holder, String cidr) {
        IPAddress subnet;
        try {
            subnet = Subnets.parse(cidr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot lease subnet: " + e.getMessage(), e);
        }
        String canonical = Subnets.canonical(subnet);
        if (!pool.contains(subnet)) {
            throw new IllegalArgumentException("Cannot lease subnet " + canonical + ": it lies outside the lease pool "
                    + pool.cidr() + "; declare a subnet inside the pool, or configure " + SubnetPool.POOL_KEY);
        }
        Owner owner = checkHolder(holder);
        Instant startTime = startTime(owner.pid());
        List<PoolExhaustion.UsedSubnet> hostUsed = hostSubnets();
        return index.update(leases -> {
            reclaim(leases);
            List<Lease> conflicts = leases.stream()
                    .filter(lease -> Subnets.parse(lease.subnet()).overlaps(subnet))
                    .toList();
            if (!conflicts.isEmpty()) {
                throw new LeaseException("Cannot lease subnet " + canonical + " for prefix " + owner.prefixPath()
                        + ": it overlaps "
                        + conflicts.stream()
                                .map(lease -> lease.subnet() + " held by " + lease.describeHolder())
                                .collect(Collectors.joining("; "))
                        + ". Declare another subnet (or none, to lease a free one), or destroy that prefix if it is "
                        + "no longer needed");
            }
            List<PoolExhaustion.UsedSubnet> onHost = hostUsed.stream()
                    .filter(used -> used.subnet().overlaps(subnet))
                    .toList();
            if (!onHost.isEmpty()) {
                throw new LeaseException("Cannot lease subnet " + canonical + " for prefix " + owner.prefixPath()
                        + ": the host already uses it ("
                        + onHost.stream().map(PoolExhaustion.UsedSubnet::source).collect(Collectors.joining(", "))
                        + "). Declare another subnet (or none, to lease a free one)");
            }
            Lease lease =
                    new Lease(canonical, owner.prefixId(), owner.prefixPath(), owner.pid(), startTime, Instant.now());
            leases.add(lease);
            LOG.debug("Leased {} to prefix {}", canonical, owner.prefixPath());
            return lease;
        });
    }

    /**
     * Releases every lease of the prefix {@code prefixId}. Idempotent.
     *
     * @return the leases released
     */
    public List<Lease> release(String prefixId) {
        Objects.requireNonNull(prefixId, "prefixId");
        return index.update(leases -> {
            List<Lease> released = leases.stream()
                    .filter(lease -> lease.prefixId().equals(prefixId))
                    .toList();
            leases.removeAll(released);
            return released;
        });
    }

    /**
     * Releases one lease, if the same prefix still holds it (a lease reclaimed and leased to someone else is not
     * touched). Idempotent.
     *
     * @return whether the lease was held and is now released
     */
    public boolean release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return index.update(leases -> leases.removeIf(
                held -> held.subnet().equals(lease.subnet()) && held.prefixId().equals(lease.prefixId())));
    }

    /** Every recorded lease, stale or not, lowest subnet first. Takes no lock (the index is replaced atomically). */
    public List<Lease> list() {
        return List.copyOf(index.read());
    }

    /**
     * Removes every stale lease (prefix gone, process dead, or pid recycled).
     *
     * @return the leases removed
     */
    public List<Lease> reclaimStale() {
        return reclaimStale(lease -> true);
    }

    /**
     * Removes the stale leases among those {@code among} accepts (the janitor's {@code --older-than}, the leases of
     * one environment being destroyed); live leases are never removed, whatever {@code among} says.
     *
     * @return the leases removed
     */
    public List<Lease> reclaimStale(Predicate<Lease> among) {
        Objects.requireNonNull(among, "among");
        return index.update(leases -> reclaim(leases, among));
    }

    /** Why {@code lease} is stale, or empty when its holder is alive. */
    public static Optional<String> staleReason(Lease lease) {
        return OwnerLiveness.deadReason(Path.of(lease.prefixPath()), lease.pid(), lease.pidStartTime());
    }

    private List<Lease> reclaim(List<Lease> leases) {
        return reclaim(leases, lease -> true);
    }

    private List<Lease> reclaim(List<Lease> leases, Predicate<Lease> among) {
        List<Lease> reclaimed = new ArrayList<>();
        for (Iterator<Lease> it = leases.iterator(); it.hasNext(); ) {
            Lease lease = it.next();
            if (!among.test(lease)) {
                continue;
            }
            Optional<String> reason = staleReason(lease);
            if (reason.isPresent()) {
                LOG.info("Reclaiming stale lease {} of {}: {}", lease.subnet(), lease.describeHolder(), reason.get());
                reclaimed.add(lease);
                it.remove();
            }
        }
        return reclaimed;
    }

    private Owner checkHolder(Owner holder) {
        Objects.requireNonNull(holder, "holder");
        Path prefixDir = Path.of(holder.prefixPath()).toAbsolutePath().normalize();
        if (!Prefix.isPrefix(prefixDir)) {
            throw new IllegalArgumentException("Cannot lease for prefix " + prefixDir + ": it has no prefix.json, so "
                    + "its leases would count as stale at once; create the prefix (Prefix.create) before leasing");
        }
        return new Owner(holder.prefixId(), prefixDir.toString(), holder.pid());
    }

    private static Instant startTime(long pid) {
        ProcessHandle process = ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new IllegalArgumentException("Cannot lease for pid " + pid + ": no such running "
                        + "process; leases belong to a live JVM, normally ProcessHandle.current().pid()"));
        return process.info().startInstant().orElse(null);
    }

    private List<PoolExhaustion.UsedSubnet> hostSubnets() {
        List<PoolExhaustion.UsedSubnet> used = new ArrayList<>();
        for (LocalSubnetProbe.LocalSubnet host : probe.subnetsInUse()) {
            IPAddress address =
                    host.cidr() == null ? null : new IPAddressString(host.cidr().strip()).getAddress();
            if (address == null || !address.isIPv4()) {
                LOG.debug("Ignoring host subnet {} ({}): not an IPv4 address or subnet", host.cidr(), host.source());
                continue;
            }
            used.add(new PoolExhaustion.UsedSubnet(address.toPrefixBlock(), host.source()));
        }
        return used;
    }

    /**
     * Writes the index under the locks, for tests that need leases no live process could take (dead or recycled
     * pids).
     */
    void seed(List<Lease> leases) {
        index.update(current -> {
            current.clear();
            current.addAll(leases);
            return null;
        });
    }

    /** The subnets that cannot be leased: live leases and host subnets; quick for leases on the pool's grid. */
    private final class Taken {
        private final Set<IPAddress> onGrid = new HashSet<>();
        private final List<IPAddress> offGrid = new ArrayList<>();

        Taken(List<Lease> leases, List<PoolExhaustion.UsedSubnet> hostUsed) {
            for (Lease lease : leases) {
                IPAddress subnet = Subnets.parse(lease.subnet());
                if (subnet.getNetworkPrefixLength() == pool.subnetLength()) {
                    onGrid.add(subnet);
                } else {
                    offGrid.add(subnet);
                }
            }
            hostUsed.forEach(used -> offGrid.add(used.subnet()));
        }

        boolean overlaps(IPAddress subnet) {
            return onGrid.contains(subnet) || offGrid.stream().anyMatch(other -> other.overlaps(subnet));
        }
    }
}
