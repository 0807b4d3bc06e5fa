package io.testbed.provider.docker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.github.dockerjava.api.model.HostConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A {@link HostConfig} with the {@code ReadonlyPaths} field of the Docker API (1.39+), which docker-java does not
 * model. Docker mounts all of {@code /proc/sys} read-only in unprivileged containers, so
 * {@link io.testbed.core.Machine#setSysctl} could change nothing; {@link #netSysctlsWritable()} keeps Docker's
 * read-only list but leaves {@code /proc/sys/net} writable. Network sysctls belong to the container's own network
 * namespace (Docker's {@code --sysctl net.*} relies on the same), so this changes nothing outside the container;
 * every other {@code /proc/sys} directory stays read-only.
 */
final class ContainerHostConfig extends HostConfig {

    private static final long serialVersionUID = 1L;

    /** Docker's default read-only paths except {@code /proc/sys}, which is listed per directory below. */
    private static final List<String> DOCKER_READ_ONLY =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger");

    @JsonProperty("ReadonlyPaths")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private List<String> readonlyPaths;

    /** A host configuration whose {@code /proc/sys/net} is writable and the rest of {@code /proc/sys} is not. */
    static ContainerHostConfig netSysctlsWritable() {
        ContainerHostConfig config = new ContainerHostConfig();
        List<String> paths = new ArrayList<>(DOCKER_READ_ONLY);
        try (Stream<Path> entries = Files.list(Path.of("/proc/sys"))) {
            entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> !name.equals("net"))
                    .sorted()
                    .forEach(name -> paths.add("/proc/sys/" + name));
        } catch (IOException e) {
            paths.add("/proc/sys"); // cannot list it: keep Docker's default rather than guess
        }
        config.readonlyPaths = List.copyOf(paths);
        return config;
    }

    /** The read-only paths sent to Docker. */
    List<String> readonlyPaths() {
        return readonlyPaths;
    }
}
