package io.testbed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;

/**
 * What the bench's anchors may leave on the host outside any Testbed prefix: bare-QEMU processes, the anchors'
 * bridges and taps, this JVM's temporary directories, the plain Testcontainers anchor's containers and networks,
 * and new veth links on no bridge or on one of the bench's. See {@link Leaks}.
 */
final class HostLeaks {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private HostLeaks() {}

    /** One line per object left behind. */
    static List<String> find(Set<String> vethsAtStart) {
        List<String> leaks = new ArrayList<>();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(HostLeaks::isAnchorQemu).orElse(false))
                .forEach(p -> leaks.add("bare-QEMU process " + p.pid() + ": "
                        + p.info().commandLine().orElse("?")));
        for (JsonNode link : links(null)) {
            String name = link.path("ifname").asText();
            if (name.startsWith(BenchBridge.BRIDGE_PREFIX) || name.startsWith(BenchBridge.TAP_PREFIX)) {
                leaks.add("link " + name);
            }
        }
        for (JsonNode veth : links("veth")) {
            String name = veth.path("ifname").asText();
            String master = veth.path("master").asText("");
            if (!vethsAtStart.contains(name) && (master.isEmpty() || master.startsWith(BenchBridge.BRIDGE_PREFIX))) {
                leaks.add("veth link " + name + (master.isEmpty() ? " (on no bridge)" : " on " + master));
            }
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> entries = Files.list(tmp)) {
            entries.filter(p -> p.getFileName().toString().startsWith(Leaks.TEMP_PREFIX))
                    .forEach(p -> leaks.add("temporary directory " + p));
        } catch (IOException e) {
            leaks.add("cannot list " + tmp + ": " + e.getMessage());
        }
        leaks.addAll(testcontainers());
        return leaks;
    }

    /** The names of the host's veth links now. */
    static Set<String> veths() {
        Set<String> names = new LinkedHashSet<>();
        links("veth").forEach(link -> names.add(link.path("ifname").asText()));
        return names;
    }

    private static boolean isAnchorQemu(String commandLine) {
        return commandLine.contains("qemu-system")
                && (commandLine.contains("guest=testbed-bench-") || commandLine.contains(Leaks.TEMP_PREFIX));
    }

    /** {@code ip -json link show [type TYPE]}, parsed; empty when {@code ip} cannot tell. */
    private static List<JsonNode> links(String type) {
        List<String> command = new ArrayList<>(List.of("ip", "-json", "link", "show"));
        if (type != null) {
            command.addAll(List.of("type", type));
        }
        List<JsonNode> links = new ArrayList<>();
        try {
            LocalCommand.Result outcome = LocalCommands.run(TIMEOUT, command.toArray(String[]::new));
            if (outcome.succeeded()) {
                Json.mapper().readTree(outcome.stdout()).forEach(links::add);
            }
        } catch (BenchException | IOException e) {
            // no iproute2 here: nothing of the bench's can have been created with it either
        }
        return links;
    }

    /** Containers and networks of this JVM's Testcontainers session (the container anchor's). */
    private static List<String> testcontainers() {
        List<String> leaks = new ArrayList<>();
        String filter =
                "label=" + DockerClientFactory.TESTCONTAINERS_SESSION_ID_LABEL + "=" + DockerClientFactory.SESSION_ID;
        try {
            LocalCommand.Result containers =
                    LocalCommands.run(TIMEOUT, "docker", "ps", "-a", "--filter", filter, "--format", "{{.Names}}");
            LocalCommand.Result networks =
                    LocalCommands.run(TIMEOUT, "docker", "network", "ls", "--filter", filter, "--format", "{{.Name}}");
            if (containers.succeeded()) {
                containers
                        .stdout()
                        .lines()
                        .filter(l -> !l.isBlank())
                        .forEach(name -> leaks.add("Testcontainers anchor container " + name.strip()));
            }
            if (networks.succeeded()) {
                networks.stdout()
                        .lines()
                        .filter(l -> !l.isBlank())
                        .forEach(name -> leaks.add("Testcontainers anchor network " + name.strip()));
            }
        } catch (BenchException noDocker) {
            // no Docker CLI: the container anchor cannot have run
        }
        return leaks;
    }
}
