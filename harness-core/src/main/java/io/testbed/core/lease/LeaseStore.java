package io.testbed.core.lease;

import io.testbed.core.config.TestbedConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import inet.ipaddr.Address;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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
 * taken first. Writes go to a temporary file that is fsync'd, renamed over the index, and the directory fsync'd,
 * so a SIGKILL or power loss mid-write never loses or corrupts a lease. Reads ({@link #list()}) take no lock.
 *
 * <p><b>Staleness.</b> A lease is stale when its prefix directory has no {@code prefix.json}, its process is dead,
 * or its pid now belongs to a process that started at another time. Stale leases are reclaimed on every
 * acquisition and by {@link #reclaimStale()}.
 *
 * <p><b>Host subnets.</b> Subnets that overlap an address or route of the host (as told by the
 * {@link HostSubnetProbe}) are never leased.
 *
 * <p>Instances are cheap, immutable and thread-safe; any number may point at the same directory.
 */
@API(status = API.Status.EXPERIMENTAL)
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

    static final String INDEX_FILE = "leases.json";
    static final String LOCK_FILE = "leases.lock";
    private static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(LeaseStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** In-JVM locks, one per canonical store directory, because file locks do not exclude threads of one JVM. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path directory;
    private final SubnetPool pool;
    private final HostSubnetProbe probe;

    /**
     * A store in {@code directory} leasing from {@code pool}, skipping what {@code probe} reports in use. Creates
     * nothing until the first operation.
     */
    public LeaseStore(Path directory, SubnetPool pool, HostSubnetProbe probe) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
        this.pool = Objects.requireNonNull(pool, "pool");
        this.probe = Objects.requireNonNull(probe, "probe");
    }

    /**
     * The store configured by {@value #DIRECTORY_KEY}, {@value SubnetPool#POOL_KEY} and
     * {@value SubnetPool#SUBNET_LENGTH_KEY}, probing the real host.
     *
     * @throws IllegalArgumentException when the pool configuration is invalid
     */
    public static LeaseStore fromConfiguration(Map<String, String> configuration) {
        return new LeaseStore(Path.of(configuration.getOrDefault(DIRECTORY_KEY, DEFAULT_DIRECTORY)),
                SubnetPool.fromConfiguration(configuration), HostSubnetProbe.system());
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
        List<UsedSubnet> hostUsed = hostSubnets();
        return locked(leases -> {
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
                throw exhausted(owner, count, chosen.size(), leases, hostUsed);
            }
            Instant now = Instant.now();
            List<Lease> acquired = chosen.stream()
                    .map(subnet -> new Lease(Subnets.canonical(subnet), owner.prefixId(), owner.prefixPath(),
                            owner.pid(), startTime, now))
                    .toList();
            leases.addAll(acquired);
            LOG.debug("Leased {} to prefix {}", acquired.stream().map(Lease::subnet).toList(), owner.prefixPath());
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
        List<UsedSubnet> hostUsed = hostSubnets();
        return locked(leases -> {
            reclaim(leases);
            List<Lease> conflicts = leases.stream().filter(lease -> Subnets.parse(lease.subnet()).overlaps(subnet))
                    .toList();
            if (!conflicts.isEmpty()) {
                throw new LeaseException("Cannot lease subnet " + canonical + " for prefix " + owner.prefixPath()
                        + ": it overlaps " + conflicts.stream().map(lease -> lease.subnet() + " held by "
                                + lease.describeHolder()).collect(Collectors.joining("; "))
                        + ". Declare another subnet (or none, to lease a free one), or destroy that prefix if it is "
                        + "no longer needed");
            }
            List<UsedSubnet> onHost = hostUsed.stream().filter(used -> used.subnet().overlaps(subnet)).toList();
            if (!onHost.isEmpty()) {
                throw new LeaseException("Cannot lease subnet " + canonical + " for prefix " + owner.prefixPath()
                        + ": the host already uses it (" + onHost.stream().map(used -> used.source())
                                .collect(Collectors.joining(", "))
                        + "). Declare another subnet (or none, to lease a free one)");
            }
            Lease lease = new Lease(canonical, owner.prefixId(), owner.prefixPath(), owner.pid(), startTime,
                    Instant.now());
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
        return locked(leases -> {
            List<Lease> released = leases.stream().filter(lease -> lease.prefixId().equals(prefixId)).toList();
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
        return locked(leases -> leases.removeIf(held -> held.subnet().equals(lease.subnet())
                && held.prefixId().equals(lease.prefixId())));
    }

    /** Every recorded lease, stale or not, lowest subnet first. Takes no lock (the index is replaced atomically). */
    public List<Lease> list() {
        return List.copyOf(read());
    }

    /**
     * Removes every stale lease (prefix gone, process dead, or pid recycled).
     *
     * @return the leases removed
     */
    public List<Lease> reclaimStale() {
        return locked(this::reclaim);
    }

    /** Why {@code lease} is stale, or empty when its holder is alive. */
    static Optional<String> staleReason(Lease lease) {
        return Owner.deadReason(Path.of(lease.prefixPath()), lease.pid(), lease.pidStartTime());
    }

    private List<Lease> reclaim(List<Lease> leases) {
        List<Lease> reclaimed = new ArrayList<>();
        for (Iterator<Lease> it = leases.iterator(); it.hasNext(); ) {
            Lease lease = it.next();
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
        ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new IllegalArgumentException("Cannot lease for pid " + pid + ": no such running "
                        + "process; leases belong to a live JVM, normally ProcessHandle.current().pid()"));
        return process.info().startInstant().orElse(null);
    }

    private List<UsedSubnet> hostSubnets() {
        List<UsedSubnet> used = new ArrayList<>();
        for (HostSubnetProbe.HostSubnet host : probe.subnetsInUse()) {
            IPAddress address = host.cidr() == null ? null : new IPAddressString(host.cidr().strip()).getAddress();
            if (address == null || !address.isIPv4()) {
                LOG.debug("Ignoring host subnet {} ({}): not an IPv4 address or subnet", host.cidr(), host.source());
                continue;
            }
            used.add(new UsedSubnet(address.toPrefixBlock(), host.source()));
        }
        return used;
    }

    private LeaseException exhausted(Owner owner, int count, int free, List<Lease> leases, List<UsedSubnet> hostUsed) {
        String nl = System.lineSeparator();
        StringBuilder message = new StringBuilder("Lease pool ").append(pool).append(" is exhausted: prefix ")
                .append(owner.prefixPath()).append(" needs ").append(count).append(" subnet")
                .append(count == 1 ? "" : "s").append(" but ").append(free).append(free == 1 ? " is" : " are")
                .append(" free.");
        Map<String, List<Lease>> byHolder = new LinkedHashMap<>();
        leases.stream().filter(lease -> pool.contains(Subnets.parse(lease.subnet())))
                .sorted(Comparator.comparing(Lease::acquired))
                .forEach(lease -> byHolder.computeIfAbsent(lease.prefixId(), k -> new ArrayList<>()).add(lease));
        if (!byHolder.isEmpty()) {
            message.append(nl).append("Held by live prefixes:");
            byHolder.values().forEach(held -> message.append(nl).append("  - ").append(held.get(0).describeHolder())
                    .append(": ").append(held.stream().map(Lease::subnet).collect(Collectors.joining(", "))));
        }
        List<String> onHost = hostUsed.stream().filter(used -> used.subnet().overlaps(poolBlock()))
                .map(used -> used.source()).distinct().toList();
        if (!onHost.isEmpty()) {
            message.append(nl).append("Used by the host: ").append(String.join(", ", onHost));
        }
        message.append(nl).append("Destroy prefixes you no longer need (or let their JVMs end), or configure a larger ")
                .append("pool with ").append(SubnetPool.POOL_KEY).append(" (default ").append(SubnetPool.DEFAULT_CIDR)
                .append(") or longer subnets with ").append(SubnetPool.SUBNET_LENGTH_KEY).append('.');
        return new LeaseException(message.toString());
    }

    private IPAddress poolBlock() {
        return Subnets.parse(pool.cidr());
    }

    /** Runs {@code action} on the index under both locks; writes the index back when the action changed it. */
    private <T> T locked(IndexAction<T> action) {
        Path canonicalDirectory = createDirectory();
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(canonicalDirectory, dir -> new ReentrantLock());
        try {
            if (!jvmLock.tryLock(LOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LeaseException("Timed out after " + LOCK_TIMEOUT.toSeconds() + " s waiting for the lease "
                        + "store " + directory + ": another thread of this JVM holds it; look for a stuck thread in a "
                        + "thread dump (jstack)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseException("Interrupted while waiting for the lease store " + directory, e);
        }
        try (FileChannel channel = FileChannel.open(canonicalDirectory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = lockWithin(channel);
            try {
                List<Lease> before = read();
                List<Lease> leases = new ArrayList<>(before);
                try {
                    T result = action.apply(leases);
                    writeIfChanged(before, leases);
                    return result;
                } catch (LeaseException e) {
                    writeIfChanged(before, leases); // keeps what was reclaimed before the refusal; nothing was added
                    throw e;
                }
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new LeaseException("Cannot use the lease store " + directory + ": " + e + "; make it writable by "
                    + "every user that runs Testbed, or set " + DIRECTORY_KEY + " to such a directory", e);
        } finally {
            jvmLock.unlock();
        }
    }

    private FileLock lockWithin(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + LOCK_TIMEOUT.toNanos();
        long pauseMillis = 1;
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() > deadline) {
                throw new LeaseException("Timed out after " + LOCK_TIMEOUT.toSeconds() + " s waiting for the lock "
                        + directory.resolve(LOCK_FILE) + ": another process holds it; find it with `fuser "
                        + directory.resolve(LOCK_FILE) + "` and end it if it is stuck");
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseException("Interrupted while waiting for the lock " + directory.resolve(LOCK_FILE), e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 20);
        }
    }

    private Path createDirectory() {
        try {
            Files.createDirectories(directory);
            return directory.toRealPath();
        } catch (IOException e) {
            throw new LeaseException("Cannot create the lease store directory " + directory + ": " + e + "; set "
                    + DIRECTORY_KEY + " to a writable directory shared by every Testbed JVM on this host", e);
        }
    }

    private List<Lease> read() {
        Path index = directory.resolve(INDEX_FILE);
        try {
            Index parsed = JSON.readValue(Files.readAllBytes(index), Index.class);
            if (parsed.version() > FORMAT_VERSION) {
                throw new LeaseException("The lease store " + index + " was written by a newer Testbed (format "
                        + parsed.version() + ", this one reads " + FORMAT_VERSION + "); use one Testbed version on "
                        + "this host, or give this one its own store with " + DIRECTORY_KEY);
            }
            return parsed.leases() == null ? List.of() : parsed.leases();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LeaseException("The lease store " + index + " is unreadable (" + e.getMessage() + "); nothing was "
                    + "leased. Move it aside once no Testbed JVM runs on this host (leases of live prefixes are then "
                    + "forgotten, so destroy those prefixes too)", e);
        }
    }

    private void writeIfChanged(List<Lease> before, List<Lease> after) throws IOException {
        if (before.equals(after)) {
            return;
        }
        List<Lease> sorted = new ArrayList<>(after);
        sorted.sort(Comparator.comparing(lease -> Subnets.parse(lease.subnet()), Address.ADDRESS_LOW_VALUE_COMPARATOR));
        write(sorted);
    }

    /** Replaces the index atomically and durably: temp file, fsync, rename, fsync of the directory. */
    void write(List<Lease> leases) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(new Index(FORMAT_VERSION, leases));
        Path index = directory.resolve(INDEX_FILE);
        Path temp = directory.resolve(INDEX_FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + directory + " cannot rename atomically", e);
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true); // makes the rename itself durable
        } catch (IOException e) {
            LOG.debug("Cannot fsync directory {}: {}", directory, e.toString());
        }
    }

    /**
     * Writes the index under the locks, for tests that need leases no live process could take (dead or recycled
     * pids).
     */
    void seed(List<Lease> leases) {
        locked(current -> {
            current.clear();
            current.addAll(leases);
            return null;
        });
    }

    /** What the index file holds. */
    record Index(int version, List<Lease> leases) {}

    /** A subnet the host uses, parsed. */
    private record UsedSubnet(IPAddress subnet, String source) {}

    @FunctionalInterface
    private interface IndexAction<T> {
        T apply(List<Lease> leases);
    }

    /** The subnets that cannot be leased: live leases and host subnets; quick for leases on the pool's grid. */
    private final class Taken {
        private final Set<IPAddress> onGrid = new HashSet<>();
        private final List<IPAddress> offGrid = new ArrayList<>();

        Taken(List<Lease> leases, List<UsedSubnet> hostUsed) {
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
