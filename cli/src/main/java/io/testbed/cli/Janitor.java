package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.Reaper;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Removes what dead runs left on this host — {@code testbed janitor}, also called in-process by other tools of this
 * repository (the reliability campaign counts leftovers after it). It is the engine's {@link Reaper} with every
 * provider on the class path and a selection: environments whose owner process is dead (and, with {@link
 * Options#kept()}, kept environments whose process is dead too, after removing their {@code KEPT} marker), older than
 * {@link Options#olderThan()}, under {@link Options#under()}. Environments still in use are never touched.
 *
 * <p>Thread-safe; safe to run while other JVMs provision (the reaper's own guarantees).
 */
@API(status = API.Status.INTERNAL)
public final class Janitor {

    private Janitor() {}

    /**
     * What to clean up.
     *
     * @param kept      also kept environments whose JVM is gone (their {@code KEPT} marker is removed first)
     * @param olderThan only environments created at least this long ago; null for any age
     * @param under     only environments whose prefix lies under this directory; null for anywhere
     * @param dryRun    only tell what would be removed
     */
    public record Options(boolean kept, Duration olderThan, Path under, boolean dryRun) {
        public Options {
            under = under == null ? null : under.toAbsolutePath().normalize();
        }

        /** Every environment whose owner is dead, for real. */
        public static Options deadOwners() {
            return new Options(false, null, null, false);
        }
    }

    /**
     * What the janitor did.
     *
     * @param environments the environments it chose, one line each (name, id, prefix, why)
     * @param removed      a line per object removed (or, in a dry run, per environment and what it holds)
     * @param skipped      environments it left alone on purpose, with the reason
     * @param leftovers    what is still there of the chosen environments afterwards (empty after a clean run)
     * @param dryRun       whether it only told
     */
    public record Outcome(
            List<String> environments,
            List<String> removed,
            List<String> skipped,
            List<String> leftovers,
            boolean dryRun) {
        public Outcome {
            environments = List.copyOf(environments);
            removed = List.copyOf(removed);
            skipped = List.copyOf(skipped);
            leftovers = List.copyOf(leftovers);
        }

        /** Whether nothing of the chosen environments is left. */
        public boolean clean() {
            return leftovers.isEmpty();
        }
    }

    /** Runs the janitor with every provider on the class path. */
    public static Outcome run(TestbedConfig config, Options options) {
        DockerAccess.pinApiVersion();
        return run(config, options, Engine.create(config).providers().values());
    }

    /** Runs the janitor with these providers. */
    static Outcome run(TestbedConfig config, Options options, Collection<Provider> providers) {
        Objects.requireNonNull(options, "options");
        Instant now = Instant.now();
        List<String> chosen = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<EnvironmentInfo> candidates = new ArrayList<>();
        for (EnvironmentInfo e : HostEnvironments.list(config)) {
            if (!inScope(e.prefix(), e.created(), options, now)) {
                continue;
            }
            String label = e.name() + " (id " + e.shortId() + ", " + e.prefix() + ")";
            if (e.kept() && !options.kept()) {
                skipped.add(label + ": kept (--kept removes kept environments whose JVM is gone)");
            } else if (e.kept() && e.ownerAlive()) {
                skipped.add(label + ": kept, and its JVM (pid " + e.pid() + ") still runs");
            } else if (!e.kept() && e.orphaned() == null) {
                skipped.add(label + ": in use by pid " + e.pid());
            } else {
                candidates.add(e);
                chosen.add(label + ": " + (e.kept() ? "kept, its JVM (pid " + e.pid() + ") is gone" : e.orphaned()));
            }
        }
        if (options.dryRun()) {
            List<String> wouldRemove =
                    candidates.stream().map(Janitor::holdings).toList();
            return new Outcome(chosen, wouldRemove, skipped, List.of(), true);
        }
        for (EnvironmentInfo e : candidates) {
            if (e.kept()) {
                letGo(Path.of(e.prefix()));
            }
        }
        Predicate<Owner> selection = owner -> inScope(owner.prefixPath(), created(owner), options, now);
        List<String> removed = Reaper.reap(config, providers, selection);
        Set<String> ids = candidates.stream().map(EnvironmentInfo::id).collect(Collectors.toSet());
        List<String> leftovers = new ArrayList<>();
        for (EnvironmentInfo e : HostEnvironments.list(config)) {
            if (ids.contains(e.id())) {
                leftovers.add(e.name() + " (id " + e.shortId() + "): " + leftover(e));
            }
        }
        // a provider whose daemon is down (say) reaped nothing, an owner whose objects are in another daemon was not
        // this reaper's to drop: their lines are leftovers, not removals; the registry entries stay, so that the
        // next janitor run (at that daemon) finds the objects again
        Predicate<String> failed = Reaper::isLeftover;
        removed.stream().filter(failed).forEach(leftovers::add);
        return new Outcome(chosen, removed.stream().filter(failed.negate()).toList(), skipped, leftovers, false);
    }

    /** Removes the {@code KEPT} marker, so that the reaper may destroy the environment. */
    static void letGo(Path prefixDir) {
        try {
            Files.deleteIfExists(prefixDir.resolve(Prefix.KEPT_MARKER));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + prefixDir.resolve(Prefix.KEPT_MARKER) + ": " + e, e);
        }
    }

    private static boolean inScope(String prefix, Instant created, Options options, Instant now) {
        if (options.under() != null
                && !Path.of(prefix).toAbsolutePath().normalize().startsWith(options.under())) {
            return false;
        }
        // an environment of unknown age has lost its prefix: nothing but its leftovers is there to keep
        return options.olderThan() == null
                || created == null
                || !created.plus(options.olderThan()).isAfter(now);
    }

    private static Instant created(Owner owner) {
        try {
            Path dir = Path.of(owner.prefixPath());
            return Prefix.isPrefix(dir) ? Prefix.open(dir).metadata().created() : null;
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    private static String holdings(EnvironmentInfo e) {
        List<String> parts = new ArrayList<>();
        for (PrefixResource resource : concat(e.machines(), e.networks())) {
            if (!"DESTROYED".equals(resource.state()) && !resource.providerId().isEmpty()) {
                parts.add(resource.kind() + " " + resource.name() + " (" + resource.provider() + " "
                        + resource.providerId() + ")");
            }
        }
        e.leases().forEach(subnet -> parts.add("lease " + subnet));
        if (e.registered()) {
            parts.add("owner entry " + e.shortId());
        }
        Path disks = Path.of(e.prefix(), "disks");
        if (Files.isDirectory(disks)) {
            parts.add("disks in " + disks);
        }
        return "would remove " + e.name() + " (id " + e.shortId() + "): "
                + (parts.isEmpty() ? "nothing but its entry" : String.join(", ", parts));
    }

    private static String leftover(EnvironmentInfo e) {
        List<String> parts = new ArrayList<>();
        if (e.registered()) {
            parts.add("still in the owner registry");
        }
        if (!e.leases().isEmpty()) {
            parts.add("still leases " + String.join(", ", e.leases()));
        }
        return String.join("; ", parts);
    }

    private static List<PrefixResource> concat(List<PrefixResource> a, List<PrefixResource> b) {
        List<PrefixResource> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
