package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.testbed.core.spi.Owner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A container's snapshots: {@code docker commit}s to labelled images, and the containers a revert retired (killed,
 * renamed and removed in the background while their successor starts). Thread-safe: every method holds this
 * object's monitor, which {@link DockerMachine#revert} holds too while it replaces the container.
 */
final class ContainerSnapshots {

    /** Repository of snapshot images; the container name follows. */
    static final String SNAPSHOT_REPOSITORY = "testbed-snapshot/";
    /** Removes retired containers while their successors start. */
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "testbed-docker-remove");
        thread.setDaemon(true);
        return thread;
    });

    private static final Pattern PLAIN_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}");

    private final DockerClient docker;
    private final Owner owner;
    private final String machine;
    private final String name;
    private final Map<String, String> snapshots = new LinkedHashMap<>();
    private final List<String> committed = new ArrayList<>(); // oldest first
    private final List<String> retiredNames = new ArrayList<>();
    private final List<CompletableFuture<Void>> removals = new ArrayList<>();

    /**
     * @param machine the machine's name (for labels and messages)
     * @param name    the container's name
     */
    ContainerSnapshots(DockerClient docker, Owner owner, String machine, String name) {
        this.docker = docker;
        this.owner = owner;
        this.machine = machine;
        this.name = name;
    }

    /** Commits the container's file system to a labelled image (the container is paused meanwhile). */
    synchronized void commit(String snapshot) {
        Map<String, String> labels = Labels.of(owner, Labels.MACHINE, machine);
        labels.put(Labels.SNAPSHOT, snapshot);
        String image = DockerClients.call(
                "commit container " + name + " as snapshot '" + snapshot + "'",
                () -> docker.commitCmd(name)
                        .withRepository(SNAPSHOT_REPOSITORY + name)
                        .withTag(tag(snapshot))
                        .withLabels(labels)
                        .withPause(true)
                        .exec());
        snapshots.put(snapshot, image);
        committed.add(image);
    }

    /**
     * The image of {@code snapshot}.
     *
     * @throws IllegalArgumentException naming the machine's snapshots when it has no such one
     */
    synchronized String image(String snapshot) {
        String image = snapshots.get(snapshot);
        if (image == null) {
            throw unknown(snapshot);
        }
        return image;
    }

    /**
     * Forgets a snapshot: its tag is removed at once; the image itself goes at teardown, since the running container
     * may have been created from it.
     */
    synchronized void forget(String snapshot) {
        if (snapshots.remove(snapshot) == null) {
            throw unknown(snapshot);
        }
        String reference = SNAPSHOT_REPOSITORY + name + ":" + tag(snapshot);
        DockerClients.ifPresent("untag snapshot image " + reference, () -> {
            docker.removeImageCmd(reference).withForce(true).exec();
            return reference;
        });
    }

    private IllegalArgumentException unknown(String snapshot) {
        return new IllegalArgumentException(
                "Machine '" + machine + "' has no snapshot '" + snapshot + "'; its snapshots: " + snapshots.keySet());
    }

    /**
     * Gets the current container out of the way of its successor quickly: killed (which frees its addresses),
     * renamed, and removed in the background; deleting its writable layer then overlaps the successor's start. Falls
     * back to removing it in place when it cannot be killed (not running) or renamed.
     */
    synchronized void retireContainer() {
        String retired = name + "-retired-" + (retiredNames.size() + 1);
        try {
            docker.killContainerCmd(name).exec();
            docker.renameContainerCmd(name).withName(retired).exec();
        } catch (NotFoundException gone) {
            return;
        } catch (RuntimeException cannot) {
            DockerClients.removeContainer(docker, name);
            return;
        }
        retiredNames.add(retired);
        removals.add(CompletableFuture.runAsync(() -> DockerClients.removeContainer(docker, retired), BACKGROUND));
    }

    /**
     * Waits for the background removals, removes what they left and every committed image, newest first.
     *
     * @return what could not be removed
     */
    List<RuntimeException> removeAll() {
        List<RuntimeException> problems = new ArrayList<>();
        List<String> retired;
        List<CompletableFuture<Void>> pending;
        synchronized (this) {
            retired = List.copyOf(retiredNames);
            pending = List.copyOf(removals);
            removals.clear();
        }
        pending.forEach(removal -> removal.handle((ok, failed) -> null).join());
        for (String container : retired) {
            try {
                DockerClients.removeContainer(docker, container); // a no-op unless its background removal failed
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        List<String> images;
        synchronized (this) {
            images = new ArrayList<>(committed);
        }
        Collections.reverse(images);
        for (String image : images) {
            try {
                DockerClients.ifPresent("remove snapshot image " + image + " of container " + name, () -> {
                    docker.removeImageCmd(image).withForce(true).exec();
                    return image;
                });
                synchronized (this) {
                    committed.remove(image);
                }
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        return problems;
    }

    /** A Docker tag for a snapshot name: the name itself when it is a valid tag, else a cleaned form plus a hash. */
    static String tag(String snapshot) {
        if (PLAIN_TAG.matcher(snapshot).matches()) {
            return snapshot;
        }
        String cleaned = snapshot.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0)) && cleaned.charAt(0) != '_') {
            cleaned = "_" + cleaned;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(snapshot.getBytes(StandardCharsets.UTF_8));
            return cleaned.substring(0, Math.min(cleaned.length(), 100)) + "-"
                    + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
