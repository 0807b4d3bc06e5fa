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
     * Whether the owner still needs its objects: the prefix directory exists with this uuid and either the
     * environment was kept on purpose ({@value #KEPT_MARKER}) or the creating process is alive — the same
     * process, not a recycled pid (its start time must match the one recorded in the prefix).
     */
    @JsonIgnore
    public boolean isAlive() {
        Path dir = Path.of(prefixPath);
        if (!Prefix.isPrefix(dir)) {
            return false;
        }
        PrefixMetadata metadata;
        try {
            metadata = Prefix.open(dir).metadata();
        } catch (RuntimeException unreadable) {
            return false;
        }
        if (!metadata.id().equals(prefixId)) {
            return false;
        }
        if (Files.exists(dir.resolve(KEPT_MARKER))) {
            return true;
        }
        return isProcessAlive(pid, metadata.pid() == pid ? metadata.pidStartTime() : null);
    }

    /**
     * Whether process {@code pid} is alive and, when {@code startTime} is known, started at that time (within a
     * second), so that a recycled pid does not count.
     */
    public static boolean isProcessAlive(long pid, Instant startTime) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        if (startTime == null) {
            return true;
        }
        return process.get().info().startInstant()
                .map(actual -> Duration.between(actual, startTime).abs().compareTo(Duration.ofSeconds(1)) <= 0)
                .orElse(true);
    }
}
