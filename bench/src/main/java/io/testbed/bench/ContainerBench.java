package io.testbed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@code container.ready} and {@code container.revert}: a container machine through Testbed's Docker provider
 * against a plain Testcontainers {@code GenericContainer.start()} of the same local image with the same command,
 * followed by one {@code execInContainer("true")} so both reach the same point (a command answered), alternating
 * round by round with the order swapped each round.
 *
 * <ul>
 *   <li>ready: Testbed from the machine's {@code machine.create} (journal, started) to its first command answered
 *       ({@code machine.ready} ok); network creation and image checks before it are in the breakdown.</li>
 *   <li>revert: {@code Environment.revert(BASELINE)} after a change, then {@code true}; the change is checked to
 *       be gone.</li>
 * </ul>
 * Skipped, with the reason in the results, while no provider named {@code docker} is on the class path or no
 * Docker engine answers.
 */
final class ContainerBench {

    static final List<String> METRICS = List.of("container.ready", "container.revert");
    private static final String ANCHOR = "plain Testcontainers GenericContainer.start() of the same local image and"
            + " command on a user-defined Docker network (created before the clock starts, as Testbed's leased"
            + " network is), then execInContainer(\"true\")";
    private static final String BOX = "box";

    private ContainerBench() {}

    static List<Metric> run(Bed bed) {
        if (!bed.engine.providers().containsKey("docker")) {
            return skipped(
                    bed,
                    "Testbed's Docker provider (io.testbed.provider.docker.DockerProvider) is not on the"
                            + " class path: it has not landed on main yet");
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return skipped(bed, "Testcontainers finds no Docker engine (is dockerd running? `docker info`)");
        }
        EnvironmentSpec spec = new EnvironmentSpec(
                "bench-box",
                List.of(NetworkSpec.leased("lan")),
                List.of(new MachineSpec(
                        BOX, "docker", "", 1, Bed.VM_MEMORY_MB, List.of("lan"), List.of(), Set.of(), Map.of())));
        Samples readyMs = new Samples();
        Samples revertMs = new Samples();
        Samples anchorMs = new Samples();
        Phases readyParts = new Phases();
        Phases revertParts = new Phases();
        List<List<String>> started = null; // image, entrypoint, command of Testbed's container, for the anchor
        for (int i = 0; i <= bed.options.runs(); i++) {
            boolean warmUp = i == 0;
            // the warm-up starts with Testbed, which tells the anchor what to start; then the order swaps each round
            if (i % 2 == 1) {
                anchor(bed, started, warmUp, anchorMs);
            }
            bed.quiet.await();
            Bed.Provisioned provisioned = bed.provision(spec, r -> {});
            try {
                Recording journal = provisioned.recording();
                String subject = BOX;
                double ready = journal.spanMs(
                        "machine.create", Recording.Edge.START, "machine.ready", Recording.Edge.END, subject);
                JsonNode config = inspect(providerId(provisioned)).path("Config");
                started = List.of(
                        List.of(config.path("Image").asText()),
                        strings(config.path("Entrypoint")),
                        strings(config.path("Cmd")));
                double revert = revert(bed, provisioned.environment(), i);
                bed.log(
                        "container via Testbed: ready %.0f ms, revert %.0f ms (image %s)%s",
                        ready, revert, started.get(0).get(0), warmUp ? " (warm-up)" : "");
                if (!warmUp) {
                    readyMs.add(ready);
                    revertMs.add(revert);
                    readyParts.add("provision_total", provisioned.provisionMs());
                    readyParts.add(
                            "machine_start_to_ready",
                            journal.spanMs(
                                    "machine.start",
                                    Recording.Edge.START,
                                    "machine.ready",
                                    Recording.Edge.END,
                                    subject));
                    for (String step : List.of(
                            "network.create", "machine.create", "machine.start", "machine.ready", "snapshot.create")) {
                        journal.all(step).forEach(e -> readyParts.add(step, e.ms()));
                    }
                    journal.all("snapshot.revert").forEach(e -> revertParts.add("snapshot.revert", e.ms()));
                    journal.events().stream()
                            .filter(ResourceEvent.RevertPhases.class::isInstance)
                            .map(ResourceEvent.RevertPhases.class::cast)
                            .forEach(e -> e.phases()
                                    .forEach((phase, took) ->
                                            revertParts.add("revert." + phase, Recording.millis(took))));
                }
            } finally {
                provisioned.close();
            }
            if (i % 2 == 0) {
                anchor(bed, started, warmUp, anchorMs);
            }
        }
        Metric ready = Metric.named("container.ready", "ms")
                .samples(readyMs)
                .anchor(ANCHOR, anchorMs)
                .target(Target.ratioAtMost(1.2))
                .note("1 container machine of the built-in tiny image through Engine.provision, from its"
                        + " machine.create to its first command answered")
                .parts(readyParts, "")
                .build();
        Metric revert = Metric.named("container.revert", "ms")
                .samples(revertMs)
                .anchor(ANCHOR, anchorMs)
                .note("Environment.revert(BASELINE) of the 1-container environment after a change, then `true`;"
                        + " against starting a fresh container instead (the same anchor samples as container.ready)")
                .parts(revertParts, "")
                .build();
        return List.of(ready, revert);
    }

    private static void anchor(Bed bed, List<List<String>> started, boolean warmUp, Samples into) {
        bed.quiet.await();
        double plain = plainTestcontainers(started.get(0).get(0), started.get(1), started.get(2));
        bed.log("container via plain Testcontainers: %.0f ms%s", plain, warmUp ? " (warm-up)" : "");
        if (!warmUp) {
            into.add(plain);
        }
    }

    private static List<Metric> skipped(Bed bed, String reason) {
        bed.log("container: skipped: " + reason);
        return List.of(
                Metric.skipped("container.ready", "ms", ANCHOR, reason),
                Metric.skipped("container.revert", "ms", ANCHOR, reason));
    }

    /** Changes a file, reverts, runs {@code true}; returns the revert and the command's time. */
    private static double revert(Bed bed, Environment environment, int round) {
        Machine box = environment.machine(BOX);
        String marker = "/root/bench-marker-" + round;
        box.run("mkdir -p /root && echo changed > " + marker, RunOptions.expectSuccess());
        bed.quiet.await();
        long start = System.nanoTime();
        environment.revert(Environment.BASELINE);
        if (box.run("true").exitCode() != 0) {
            throw new BenchException("The container did not run `true` after the revert");
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (box.run("test -e " + marker).exitCode() != 1) {
            throw new BenchException("The revert did not undo the change: " + marker + " still exists");
        }
        return ms;
    }

    /**
     * Starts the image the plain way on a user-defined network (Testbed's machine is on its leased network too;
     * attaching to a network is most of a container's start), runs {@code true} in it, stops it; the time until
     * {@code true} answered.
     */
    @SuppressWarnings("resource")
    private static double plainTestcontainers(String image, List<String> entrypoint, List<String> cmd) {
        org.testcontainers.containers.Network network = org.testcontainers.containers.Network.newNetwork();
        network.getId(); // created now, outside the measured span, like Testbed's network.create
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(name -> false)
                .withNetwork(network)
                .withStartupTimeout(Duration.ofSeconds(60));
        if (!entrypoint.isEmpty()) {
            container.withCreateContainerCmdModifier(create -> create.withEntrypoint(entrypoint));
        }
        if (!cmd.isEmpty()) {
            container.withCommand(cmd.toArray(String[]::new));
        }
        try {
            long start = System.nanoTime();
            container.start();
            Container.ExecResult result = container.execInContainer("true");
            double ms = (System.nanoTime() - start) / 1e6;
            if (result.getExitCode() != 0) {
                throw new BenchException("`true` in a plain Testcontainers container of " + image + " exited "
                        + result.getExitCode() + ": " + result.getStderr());
            }
            return ms;
        } catch (IOException e) {
            throw new BenchException("Cannot exec in the plain Testcontainers container of " + image + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("Interrupted while the plain container ran", e);
        } finally {
            container.stop();
            network.close();
        }
    }

    private static String providerId(Bed.Provisioned provisioned) {
        try {
            return Prefix.open(provisioned.prefixDir()).resources().stream()
                    .filter(row -> row.isMachine() && row.name().equals(BOX))
                    .map(PrefixResource::providerId)
                    .findFirst()
                    .orElseThrow(() -> new BenchException(
                            "resources.json of " + provisioned.prefixDir() + " names no machine '" + BOX + "'"));
        } catch (TestbedException e) {
            throw new BenchException("Cannot read resources.json of " + provisioned.prefixDir() + ": " + e, e);
        }
    }

    private static JsonNode inspect(String container) {
        LocalCommand.Result outcome = LocalCommand.of("docker", "inspect", container)
                .timeout(Duration.ofSeconds(30))
                .mergeStderr()
                .run();
        if (!outcome.succeeded()) {
            throw new BenchException("`docker inspect " + container + "` failed: "
                    + outcome.stdout().strip());
        }
        try {
            return Json.mapper().readTree(outcome.stdout()).get(0);
        } catch (IOException e) {
            throw new BenchException("Cannot parse `docker inspect " + container + "`: " + e, e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(node -> values.add(node.asText()));
        }
        return values;
    }
}
