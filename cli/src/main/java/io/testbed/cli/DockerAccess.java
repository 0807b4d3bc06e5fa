package io.testbed.cli;

import io.testbed.core.internal.support.LocalCommand;
import java.time.Duration;

/**
 * Lets Testcontainers' Docker client (used by the Docker provider's reaper and by {@code doctor}) speak the engine's
 * API version. Testcontainers 2 asks for API 1.44, which Docker 20.10 (API 1.41, the project's test hosts) refuses,
 * while Docker 29 refuses anything older than 1.44: the test class path pins 1.41 in a {@code
 * docker-java.properties}, but a command on any host asks the engine first ({@code docker version}) and pins only an
 * older API. The {@code api.version} system property, when set, wins.
 */
final class DockerAccess {

    /** The API version Testcontainers asks for unless told otherwise. */
    static final String TESTCONTAINERS_DEFAULT_API = "1.44";

    private DockerAccess() {}

    /** Pins {@code api.version} to the engine's own API when that is older than Testcontainers' default. */
    static synchronized void pinApiVersion() {
        if (System.getProperty("api.version") != null) {
            return;
        }
        LocalCommand.Result result;
        try {
            result = LocalCommand.of("docker", "version", "--format", "{{.Server.APIVersion}}")
                    .timeout(Duration.ofSeconds(10))
                    .run();
        } catch (RuntimeException noDockerCli) {
            return; // Testcontainers then reports what it finds
        }
        String version = result.stdout().strip();
        if (result.succeeded() && version.matches("\\d+\\.\\d+") && older(version, TESTCONTAINERS_DEFAULT_API)) {
            System.setProperty("api.version", version);
        }
    }

    /** Whether API version {@code a} is older than {@code b} ({@code 1.41} < {@code 1.44} < {@code 1.100}). */
    static boolean older(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int major = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return major != 0 ? major < 0 : Integer.parseInt(x[1]) < Integer.parseInt(y[1]);
    }
}
