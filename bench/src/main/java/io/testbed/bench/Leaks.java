package io.testbed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds what the benchmarks and their anchors left behind: libvirt domains and networks named
 * {@code tb-<prefix8>-…}, Docker containers, networks and snapshot images labelled with one of their prefixes, and
 * subnet leases, for every prefix under the benchmarks' prefix root; the bare-QEMU anchors' processes, bridges and
 * taps; this JVM's temporary directories; the plain Testcontainers anchor's containers and networks (labelled with
 * this JVM's Testcontainers session); and veth links that appeared during the run and hang on no bridge or on one
 * of the bench's. Other users of the host are not looked at.
 */
final class Leaks {

    /** How the bench's and the bare-QEMU anchors' temporary directories begin; this JVM's pid follows. */
    static final String TEMP_PREFIX = "testbed-bench-" + ProcessHandle.current().pid() + "-";

    private static final ObjectMapper JSON = Json.mapper();

    private final Path prefixRoot;
    private final Path leaseDir;
    private final String libvirtUri;

    private final Set<String> vethsAtStart;

    /** @param vethsAtStart the veth links the host had when the bench started ({@link HostLeaks#veths()}) */
    Leaks(Path prefixRoot, Path leaseDir, String libvirtUri, Set<String> vethsAtStart) {
        this.prefixRoot = prefixRoot.toAbsolutePath().normalize();
        this.leaseDir = leaseDir;
        this.libvirtUri = libvirtUri;
        this.vethsAtStart = Set.copyOf(vethsAtStart);
    }

    /** One line per leaked object; empty when everything was cleaned up. */
    List<String> find() {
        Set<String> shortIds = shortIds();
        List<String> leaks = new ArrayList<>(HostLeaks.find(vethsAtStart));
        if (shortIds.isEmpty()) {
            return leaks;
        }
        for (String[] kind :
                new String[][] {{"domain", "list", "--all", "--name"}, {"network", "net-list", "--all", "--name"}}) {
            LocalCommand.Result outcome = LocalCommand.of("virsh", "-c", libvirtUri, kind[1], kind[2], kind[3])
                    .timeout(Duration.ofSeconds(30))
                    .mergeStderr()
                    .run();
            if (!outcome.succeeded()) {
                leaks.add("cannot list libvirt " + kind[0] + "s: "
                        + outcome.stdout().strip());
                continue;
            }
            outcome.stdout()
                    .lines()
                    .map(String::strip)
                    .filter(name -> ours(name, shortIds))
                    .forEach(name -> leaks.add("libvirt " + kind[0] + " " + name));
        }
        leaks.addAll(dockerLeaks(shortIds));
        leaks.addAll(leaseLeaks());
        return leaks;
    }

    private static boolean ours(String objectName, Set<String> shortIds) {
        return objectName.startsWith("tb-")
                && objectName.length() > 12
                && shortIds.contains(objectName.substring(3, 11));
    }

    private List<String> dockerLeaks(Set<String> shortIds) {
        List<String> leaks = new ArrayList<>();
        LocalCommand.Result containers;
        try {
            containers = LocalCommand.of(
                            "docker", "ps", "-a", "--format", "{{.Names}} {{.Label \"io.testbed.prefix.id\"}}")
                    .timeout(Duration.ofSeconds(30))
                    .mergeStderr()
                    .run();
        } catch (LocalCommand.FailedException noDocker) {
            return leaks;
        }
        if (!containers.succeeded()) {
            return leaks; // no Docker engine here: nothing can have leaked into it
        }
        containers
                .stdout()
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .forEach(line -> {
                    String[] parts = line.split(" ", 2);
                    String prefixId = parts.length > 1 ? parts[1] : "";
                    if (prefixId.length() >= 8 && shortIds.contains(prefixId.substring(0, 8))
                            || ours(parts[0], shortIds)) {
                        leaks.add("docker container " + parts[0]);
                    }
                });
        LocalCommand.Result networks = LocalCommand.of("docker", "network", "ls", "--format", "{{.Name}}")
                .timeout(Duration.ofSeconds(30))
                .mergeStderr()
                .run();
        networks.stdout()
                .lines()
                .map(String::strip)
                .filter(name -> ours(name, shortIds))
                .forEach(name -> leaks.add("docker network " + name));
        LocalCommand.Result images = LocalCommands.run(
                Duration.ofSeconds(30),
                "docker",
                "image",
                "ls",
                "--quiet",
                "--no-trunc",
                "--filter",
                "label=io.testbed.prefix.id");
        for (String image : images.stdout()
                .lines()
                .map(String::strip)
                .filter(id -> !id.isEmpty())
                .distinct()
                .toList()) {
            LocalCommand.Result label = LocalCommands.run(
                    Duration.ofSeconds(30),
                    "docker",
                    "image",
                    "inspect",
                    "--format",
                    "{{index .Config.Labels \"io.testbed.prefix.id\"}} {{.RepoTags}}",
                    image);
            String prefixId = label.stdout().strip();
            if (label.succeeded() && prefixId.length() >= 8 && shortIds.contains(prefixId.substring(0, 8))) {
                leaks.add("docker snapshot image " + image + " " + prefixId.substring(prefixId.indexOf(' ') + 1));
            }
        }
        return leaks;
    }

    private List<String> leaseLeaks() {
        List<String> leaks = new ArrayList<>();
        Path file = leaseDir.resolve("leases.json");
        if (!Files.isRegularFile(file)) {
            return leaks;
        }
        try {
            JsonNode leases = JSON.readTree(file.toFile()).path("leases");
            for (JsonNode lease : leases) {
                String path = lease.path("prefixPath").asText("");
                if (!path.isEmpty()
                        && Path.of(path).toAbsolutePath().normalize().startsWith(prefixRoot)) {
                    leaks.add("lease " + lease.path("subnet").asText() + " of " + path);
                }
            }
        } catch (IOException e) {
            leaks.add("cannot read the lease store " + file + ": " + e.getMessage());
        }
        return leaks;
    }

    /** The 8-character ids of the prefixes under the root: their directories are named {@code <name>-<id8>}. */
    private Set<String> shortIds() {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(prefixRoot)) {
            return ids;
        }
        try (Stream<Path> dirs = Files.list(prefixRoot)) {
            dirs.map(dir -> dir.getFileName().toString())
                    .filter(name -> name.matches(".*-[0-9a-f]{8}"))
                    .forEach(name -> ids.add(name.substring(name.length() - 8)));
        } catch (IOException e) {
            throw new BenchException("Cannot list the prefixes under " + prefixRoot + ": " + e, e);
        }
        return ids;
    }
}
