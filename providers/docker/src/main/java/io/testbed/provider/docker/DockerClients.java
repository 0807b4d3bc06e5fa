package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.testbed.core.TestbedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.testcontainers.DockerClientFactory;

/**
 * Access to the Docker engine through the client Testcontainers provides, and the error messages for when it
 * cannot be reached.
 */
final class DockerClients {

    /** What to check when Testcontainers finds no usable Docker engine. */
    static final String HOW_TO_REACH_DOCKER = "Check that dockerd runs and that this user may use its socket"
            + " (docker info). Without a registry, Testcontainers needs the environment variables"
            + " TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_CHECKS_DISABLE=true (and"
            + " TESTCONTAINERS_HOST_OVERRIDE=localhost when the tests themselves run in a container); a Docker engine"
            + " older than API 1.44 (e.g. 20.10) needs api.version=1.41 in a docker-java.properties file on the test"
            + " class path or in ~/.docker-java.properties.";

    /** The socket a Docker client uses when nothing else is configured. */
    static final String DEFAULT_ENDPOINT = "unix:///var/run/docker.sock";

    private DockerClients() {}

    /**
     * The shared Docker client of Testcontainers (never closed by Testbed).
     *
     * @throws TestbedException saying what to check when Docker cannot be reached
     */
    static DockerClient client() {
        try {
            DockerClient client = DockerClientFactory.instance().client();
            String fallback = fallback();
            if (fallback != null) {
                throw new TestbedException("DOCKER_HOST names the Docker daemon at " + System.getenv("DOCKER_HOST")
                        + ", which does not answer; Testcontainers fell back to " + fallback + ", which Testbed does"
                        + " not use in its place. Start that daemon again, or unset DOCKER_HOST.");
            }
            return client;
        } catch (TestbedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TestbedException(
                    "Cannot reach the Docker engine through Testcontainers (" + configuredEndpoint() + "): "
                            + rootMessage(e) + ". " + HOW_TO_REACH_DOCKER,
                    e);
        }
    }

    /**
     * The endpoint of the Docker daemon Testbed talks to, e.g. {@code unix:///var/run/docker.sock}: the one {@code
     * DOCKER_HOST} names, else the one Testcontainers uses once a client exists, else the one configured (the {@code
     * docker.host} property, or Docker's default socket).
     */
    static String endpoint() {
        String wanted = System.getenv("DOCKER_HOST");
        if (wanted != null && !wanted.isBlank()) {
            return wanted; // the only daemon Testbed uses when it is set (see client())
        }
        try {
            return String.valueOf(
                    DockerClientFactory.instance().getTransportConfig().getDockerHost());
        } catch (RuntimeException noClientYet) {
            return configuredEndpoint();
        }
    }

    /**
     * A Docker endpoint spelled one way per daemon, as the reaper compares endpoints ({@link
     * io.testbed.core.spi.Provider#endpoint}): scheme in lower case, no trailing slash, and a Unix socket's directory
     * resolved when it exists ({@code unix:///var/run/docker.sock} is {@code unix:///run/docker.sock} where
     * {@code /var/run} links to {@code /run}; a socket in a directory that is gone keeps its path as written).
     */
    static String normalised(String endpoint) {
        String trimmed = endpoint.strip();
        int separator = trimmed.indexOf("://");
        if (separator < 0) {
            return trimmed;
        }
        String scheme = trimmed.substring(0, separator).toLowerCase(Locale.ROOT);
        String rest = trimmed.substring(separator + 3).replaceAll("/+$", "");
        if (!scheme.equals("unix") || rest.isEmpty()) {
            return scheme + "://" + rest;
        }
        Path socket = Path.of(rest).normalize();
        Path dir = socket.getParent();
        try {
            if (dir != null && Files.isDirectory(dir)) {
                socket = dir.toRealPath().resolve(socket.getFileName());
            }
        } catch (IOException unresolvable) {
            // the path as written
        }
        return "unix://" + socket;
    }

    /**
     * Whether a Docker daemon is expected on this host although none may answer: {@code DOCKER_HOST} names one, or
     * the Unix socket it would listen on exists (a daemon that died leaves it behind).
     */
    static boolean installed() {
        String endpoint = configuredEndpoint();
        if (!endpoint.startsWith("unix://")) {
            return true;
        }
        return Files.exists(Path.of(endpoint.substring("unix://".length())));
    }

    private static String configuredEndpoint() {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            host = System.getProperty("docker.host", DEFAULT_ENDPOINT);
        }
        return host;
    }

    /**
     * The message for a call that failed below Docker's API: the daemon stopped answering (its socket refuses
     * connections or closed one mid-call) when an I/O error is among the causes; otherwise the root cause.
     */
    static String unanswered(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IOException) {
                return "the Docker daemon at " + endpoint() + " stopped answering (" + cause
                        + "). Start dockerd again; testbed janitor then removes what is left";
            }
        }
        return rootMessage(e) + " (is dockerd still running?)";
    }

    /** Whether Testcontainers finds a usable Docker engine; never throws. */
    static boolean available() {
        try {
            return DockerClientFactory.instance().isDockerAvailable() && fallback() == null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The endpoint Testcontainers uses instead of the one {@code DOCKER_HOST} names (it tries its other strategies,
     * such as the socket cached in {@code ~/.testcontainers.properties}, when that one does not answer), or null.
     */
    private static String fallback() {
        String wanted = System.getenv("DOCKER_HOST");
        if (wanted == null || wanted.isBlank()) {
            return null;
        }
        String used = String.valueOf(
                DockerClientFactory.instance().getTransportConfig().getDockerHost());
        return wanted.equals(used) ? null : used;
    }

    /**
     * Runs a Docker call and turns a failure into a {@link TestbedException} that says what was being done.
     *
     * @param what e.g. {@code "start container tb-1a2b3c4d-web"}
     */
    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (DockerException e) {
            throw new TestbedException("Docker could not " + what + ": " + dockerMessage(e), e);
        } catch (RuntimeException e) {
            throw new TestbedException("Docker could not " + what + ": " + unanswered(e), e);
        }
    }

    /** As {@link #call}, for calls without a result. */
    static void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    /** Runs a call whose target may be gone already; empty when Docker answered 404. */
    static <T> Optional<T> ifPresent(String what, Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (NotFoundException gone) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new TestbedException("Docker could not " + what + ": " + dockerMessage(e), e);
        } catch (RuntimeException e) {
            throw new TestbedException("Docker could not " + what + ": " + unanswered(e), e);
        }
    }

    /** Removes a container with its anonymous volumes, whatever its state; a no-op when it is gone. */
    static void removeContainer(DockerClient docker, String container) {
        ifPresent("remove container " + container, () -> {
            docker.removeContainerCmd(container)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
            return container;
        });
    }

    /** The daemon's message without docker-java's "Status 404: {"message":…}" wrapping. */
    static String dockerMessage(DockerException e) {
        String message = String.valueOf(e.getMessage()).strip();
        int start = message.indexOf("\"message\":\"");
        if (start >= 0) {
            int from = start + "\"message\":\"".length();
            int end = message.indexOf('"', from);
            if (end > from) {
                return message.substring(from, end) + " (HTTP " + e.getHttpStatus() + ")";
            }
        }
        return message;
    }

    /** The innermost cause's class and message. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + root + ")";
    }
}
