package io.testbed.core.internal.owner;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixMetadata;
import io.testbed.core.spi.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Whether the {@link Owner} of provider objects or leases still needs them: its prefix directory exists with the
 * same uuid and either the environment was kept on purpose ({@value Prefix#KEPT_MARKER}) or the creating process
 * is alive — the same process, not a recycled pid. The reaper and the lease store ask; providers only label.
 */
@API(status = API.Status.INTERNAL)
public final class OwnerLiveness {

    /**
     * How far a live process's start time may differ from the recorded one and still be the holder: the JDK derives
     * start times from the boot time, which shifts when the clock is stepped.
     */
    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(5);

    private OwnerLiveness() {}

    /** Whether {@code owner} still needs its objects; see {@link #deadReason(Owner)}. */
    public static boolean isAlive(Owner owner) {
        return deadReason(owner).isEmpty();
    }

    /** Why {@code owner} no longer needs its objects, or empty while it does. */
    public static Optional<String> deadReason(Owner owner) {
        Path dir = Path.of(owner.prefixPath());
        PrefixMetadata metadata;
        try {
            metadata = Prefix.isPrefix(dir) ? Prefix.open(dir).metadata() : null;
        } catch (RuntimeException unreadable) {
            metadata = null;
        }
        if (metadata != null && !metadata.id().equals(owner.prefixId())) {
            return Optional.of("prefix directory " + dir + " now holds another prefix (" + metadata.id() + ")");
        }
        return deadReason(
                dir, owner.pid(), metadata != null && metadata.pid() == owner.pid() ? metadata.pidStartTime() : null);
    }

    /**
     * Why objects held for {@code prefixDir} by process {@code pid} (started at {@code startTime}, if known) are
     * orphaned, or empty while they are not: the prefix is gone, or it is not kept and the process is dead or its
     * pid now belongs to a process started at another time (more than five seconds apart).
     */
    public static Optional<String> deadReason(Path prefixDir, long pid, Instant startTime) {
        if (!Prefix.isPrefix(prefixDir)) {
            return Optional.of("prefix directory " + prefixDir + " is gone (no prefix.json)");
        }
        if (Files.exists(prefixDir.resolve(Prefix.KEPT_MARKER))) {
            return Optional.empty();
        }
        return processGone(pid, startTime);
    }

    /**
     * Why process {@code pid} (started at {@code startTime}, if known) no longer runs, kept marker or not: it is
     * dead, or its pid now belongs to a process started at another time (more than five seconds apart); empty while
     * it runs. The CLI asks before it lets a kept environment go.
     */
    public static Optional<String> processGone(long pid, Instant startTime) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return Optional.of("process " + pid + " is dead");
        }
        Optional<Instant> started = process.get().info().startInstant();
        if (startTime != null
                && started.isPresent()
                && Duration.between(startTime, started.get()).abs().compareTo(START_TIME_TOLERANCE) > 0) {
            return Optional.of("pid " + pid + " now belongs to a process started at " + started.get()
                    + ", not the holder started at " + startTime);
        }
        return Optional.empty();
    }
}
