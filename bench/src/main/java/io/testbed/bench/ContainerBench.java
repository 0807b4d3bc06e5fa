package io.testbed.bench;

import java.util.List;

/**
 * {@code container.ready} and {@code container.revert}: a container machine through Testbed's Docker provider
 * against a plain Testcontainers {@code GenericContainer.start()} of the same local image. Skipped, with the reason
 * in the results, while no provider named {@code docker} is on the class path.
 */
final class ContainerBench {

    static final List<String> METRICS = List.of("container.ready", "container.revert");

    private ContainerBench() {}

    static List<Metric> run(Bed bed) {
        if (!bed.engine.providers().containsKey("docker")) {
            String reason = "Testbed's Docker provider (io.testbed.provider.docker.DockerProvider) is not on the class"
                    + " path: it has not landed on main yet";
            bed.log("container: skipped: " + reason);
            return List.of(
                    Metric.skipped("container.ready", "ms", "plain Testcontainers GenericContainer.start() of the same"
                            + " local image", reason),
                    Metric.skipped("container.revert", "ms", "plain Testcontainers GenericContainer.start() of the"
                            + " same local image", reason));
        }
        throw new BenchException("the Docker provider is on the class path, but the container benchmark is not"
                + " written yet");
    }
}
