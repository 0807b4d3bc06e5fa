package io.testbed.core.spi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who owns a provider object: the prefix and the process that created it. Providers label every object
 * they create with it so that a reaper can find orphans after a crash.
 *
 * @param prefixId   the prefix uuid
 * @param prefixPath the prefix directory
 * @param pid        the creating JVM's process id
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Owner(String prefixId, String prefixPath, long pid) {

    /** A file in a prefix that marks its environment as deliberately kept after its JVM ended. */
    public static final String KEPT_MARKER = "KEPT";

    public Owner {
        Objects.requireNonNull(prefixId, "prefixId");
        Objects.requireNonNull(prefixPath, "prefixPath");
    }

    /** The first 8 characters of the prefix uuid, as used in provider object names. */
    @JsonIgnore
    public String shortId() {
        return prefixId.substring(0, Math.min(8, prefixId.length()));
    }

    /**
     * Whether the owner still needs its objects; see {@link #deadReason()}.
     */
    @JsonIgnore
    public boolean isAlive() {
        return deadReason().isEmpty();
    }

    /**
     * Why the owner no longer needs its objects, or empty while it does: it does as long as its prefix directory
     * exists with this uuid and either the environment was kept on purpose ({@value #KEPT_MARKER}) or the
     * creating process is alive — the same process, not a recycled pid.
     */
    public Optional<String> deadReason() {
        Path dir = Path.of(prefixPath);
        PrefixMetadata metadata;
        try {
            metadata = Prefix.isPrefix(dir) ? Prefix.open(dir).metadata() : null;
        } catch (RuntimeException unreadable) {
            metadata = null;
        }
        if (metadata != null && !metadata.id().equals(prefixId)) {
            return Optional.of("prefix directory " + dir + " now holds another prefix (" + metadata.id() + ")");
        }
        return deadReason(dir, pid, metadata != null && metadata.pid() == pid ? metadata.pidStartTime() : null);
    }

    /**
     * Why objects held for {@code prefixDir} by process {@code pid} (started at {@code startTime}, if known) are
     * orphaned, or empty while they are not: the prefix is gone, or it is not kept and the process is dead or its
     * pid now belongs to a process started at another time (more than five seconds apart: the JDK derives start
     * times from the boot time, which shifts when the clock is stepped).
     */
    public static Optional<String> deadReason(Path prefixDir, long pid, Instant startTime) {
        if (!Prefix.isPrefix(prefixDir)) {
            return Optional.of("prefix directory " + prefixDir + " is gone (no prefix.json)");
        }
        if (Files.exists(prefixDir.resolve(KEPT_MARKER))) {
            return Optional.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return Optional.of("process " + pid + " is dead");
        }
        Optional<Instant> started = process.get().info().startInstant();
        if (startTime != null && started.isPresent()
                && Duration.between(startTime, started.get()).abs().compareTo(START_TIME_TOLERANCE) > 0) {
            return Optional.of("pid " + pid + " now belongs to a process started at " + started.get()
                    + ", not the holder started at " + startTime);
        }
        return Optional.empty();
    }

    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(5);
}
