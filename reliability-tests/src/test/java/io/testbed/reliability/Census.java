package io.testbed.reliability;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.plan.AddressPlanner;
import io.testbed.core.prefix.Prefix;
import io.testbed.provider.docker.LocalBridgeLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Counts what the environments under one prefix root left on the host, kind by kind, by asking the host itself
 * ({@code virsh}, {@code docker}, {@code /sys/class/net}, {@code nft}, {@code tc}, the process table, the lease
 * store and owner registry files) rather than Testbed's own bookkeeping, so a bug in that bookkeeping cannot hide a
 * leak. Objects are attributed to a prefix by its short id in their names ({@code tb-<short>-…}), by the prefix
 * path in their Docker labels, or by the names Testbed derives from the prefix id (bridges, veth host ends); other
 * users' objects on the shared host are never counted.
 *
 * <p>Kinds counted, every one even while nothing of that kind can exist yet (nftables tables and qdiscs come with
 * network emulation): {@link #KINDS}.
 */
final class Census {

    /** Every kind of leftover, in table order. */
    static final List<String> KINDS = List.of(
            "domains",
            "libvirt networks",
            "containers",
            "docker networks",
            "docker images",
            "bridges",
            "veths",
            "nft tables",
            "qdiscs",
            "leases",
            "owners",
            "qemu processes",
            "stray files");

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final int NICS_PER_MACHINE = 4;

    private final Path root;
    private final TestbedConfig config;
    private final List<Path> strayDirs;
    private final List<String> docker;

    /**
     * A census of the prefixes under {@code root}, with leases and owners from {@code config}'s store; every file
     * under {@code strayDirs} (a killed JVM's {@code java.io.tmpdir}, say) counts as a stray file.
     */
    Census(Path root, TestbedConfig config, List<Path> strayDirs) {
        this(root, config, strayDirs, List.of("docker"));
    }

    private Census(Path root, TestbedConfig config, List<Path> strayDirs, List<String> docker) {
        this.root = root.toAbsolutePath().normalize();
        this.config = config;
        this.strayDirs = List.copyOf(strayDirs);
        this.docker = List.copyOf(docker);
    }

    /** The same census, asking the Docker daemon at {@code host} (e.g. {@code unix:///…/docker.sock}) for its kinds. */
    Census onDocker(String host) {
        return new Census(root, config, strayDirs, List.of("docker", "-H", host));
    }

    /** The environments' prefixes under the root. */
    List<Prefix> prefixes() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        // the prefixes are the root's children; not walking into them, whose files a live JVM replaces meanwhile
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Prefix::isPrefix).map(Prefix::open).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many objects of each kind the prefixes still have, in the order of {@link #KINDS}. */
    Map<String, Integer> count(Set<String> machineNames) {
        List<Prefix> prefixes = prefixes();
        List<String> shortIds = prefixes.stream().map(Prefix::shortId).toList();
        List<String> paths = prefixes.stream().map(p -> p.dir().toString()).toList();
        List<String> interfaces = interfaceNames(prefixes, machineNames);
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put(
                "domains", named(lines("virsh", "-q", "-c", config.libvirtUri(), "list", "--all", "--name"), shortIds));
        counts.put(
                "libvirt networks",
                named(lines("virsh", "-q", "-c", config.libvirtUri(), "net-list", "--all", "--name"), shortIds));
        counts.put("containers", labelled(paths, "ps", "-aq"));
        counts.put("docker networks", labelled(paths, "network", "ls", "-q"));
        counts.put("docker images", labelled(paths, "images", "-aq"));
        Set<String> present = Set.copyOf(linkNames());
        counts.put("bridges", (int)
                bridgeNames(prefixes).stream().filter(present::contains).count());
        counts.put("veths", (int) vethNames(prefixes, machineNames).stream()
                .filter(present::contains)
                .count());
        counts.put("nft tables", (int) lines("nft", "list", "tables").stream()
                .filter(line -> shortIds.stream().anyMatch(line::contains))
                .count());
        counts.put("qdiscs", (int) lines("tc", "qdisc", "show").stream()
                .filter(line -> interfaces.stream().anyMatch(dev -> line.contains(" dev " + dev + " ")))
                .filter(line -> !line.contains(" noqueue ") && !line.startsWith("qdisc noqueue"))
                .count());
        counts.put("leases", (int) LeaseStore.fromConfiguration(config.asMap()).list().stream()
                .filter(lease -> lease.prefixPath().startsWith(root.toString()))
                .count());
        Owners owners = Owners.besideLeases(config.leaseDir());
        counts.put("owners", (int)
                shortIds.stream().filter(id -> owners.lookup(id).isPresent()).count());
        counts.put("qemu processes", (int) ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains("qemu"))
                .filter(line -> shortIds.stream().anyMatch(id -> line.contains("tb-" + id + "-")))
                .count());
        counts.put("stray files", strayFiles(shortIds));
        return counts;
    }

    /** The counts as one line, e.g. {@code domains=0 libvirt networks=0 …}. */
    static String describe(Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((kind, n) -> parts.add(kind + "=" + n));
        return String.join(" ", parts);
    }

    private static int named(List<String> names, List<String> shortIds) {
        return (int) names.stream()
                .filter(name -> shortIds.stream().anyMatch(id -> name.startsWith("tb-" + id + "-")))
                .count();
    }

    private int labelled(List<String> prefixPaths, String... listing) {
        int n = 0;
        for (String path : prefixPaths) {
            List<String> command = new ArrayList<>(docker);
            command.addAll(List.of(listing));
            command.addAll(List.of("--filter", "label=io.testbed.prefix.path=" + path));
            n += lines(command).size();
        }
        return n;
    }

    private static List<String> bridgeNames(List<Prefix> prefixes) {
        List<String> names = new ArrayList<>();
        for (Prefix prefix : prefixes) {
            for (String network : networkNames(prefix)) {
                names.add(AddressPlanner.bridgeName(prefix.id(), network));
            }
        }
        return names;
    }

    /** The host ends a container's NICs get when they join another provider's bridge (see the Docker provider). */
    private static List<String> vethNames(List<Prefix> prefixes, Set<String> machineNames) {
        List<String> names = new ArrayList<>();
        for (Prefix prefix : prefixes) {
            for (String machine : machineNames) {
                for (int nic = 0; nic < NICS_PER_MACHINE; nic++) {
                    names.add(LocalBridgeLink.localInterface(AddressPlanner.objectName(prefix.id(), machine), nic));
                }
            }
        }
        return names;
    }

    private static List<String> interfaceNames(List<Prefix> prefixes, Set<String> machineNames) {
        List<String> names = new ArrayList<>(bridgeNames(prefixes));
        names.addAll(vethNames(prefixes, machineNames));
        return names;
    }

    /** The network names of a prefix, from the plan in its journal (a prefix killed before planning has none). */
    private static List<String> networkNames(Prefix prefix) {
        Path journal = prefix.journalFile();
        if (!Files.isRegularFile(journal)) {
            return List.of();
        }
        return JournalReader.read(journal).of(EnvironmentEvent.Planned.class).stream()
                .flatMap(planned -> planned.networks().stream())
                .map(EnvironmentEvent.NetworkSummary::name)
                .distinct()
                .toList();
    }

    private int strayFiles(List<String> shortIds) {
        int n = 0;
        for (Path dir : strayDirs) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    n += (int) files.filter(f -> !f.equals(dir)).count();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        Path images = Path.of("/var/lib/libvirt/images");
        if (Files.isDirectory(images)) {
            try (Stream<Path> files = Files.list(images)) {
                n += (int) files.filter(f -> shortIds.stream()
                                .anyMatch(id -> f.getFileName().toString().contains(id)))
                        .count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    private static List<String> linkNames() {
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            return links.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(String... command) {
        return lines(List.of(command));
    }

    private static List<String> lines(List<String> command) {
        LocalCommand.Result result =
                LocalCommand.of(command).timeout(COMMAND_TIMEOUT).check("count leftovers");
        return result.stdout()
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
    }
}
