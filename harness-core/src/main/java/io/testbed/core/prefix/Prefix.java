package io.testbed.core.prefix;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.FileModes;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apiguardian.api.API;

/**
 * An environment's workspace on disk, after lago's prefix:
 * <pre>
 * &lt;root&gt;/&lt;name&gt;-&lt;uuid8&gt;/
 *   prefix.json        metadata (uuid, name, owner pid, creation time)
 *   spec.json          the environment's spec ({@link #writeSpec})
 *   resources.json     its networks and machines ({@link #resources()})
 *   keys/id_ed25519    the per-prefix key (0600) and id_ed25519.pub
 *   logs/              serial consoles, command log
 *   disks/             qcow2 overlays, seed images, data disks
 *   journal.jsonl      the event journal
 * </pre>
 * Directories are world-traversable (0755) because QEMU runs as another user and must open disks and
 * logs; the keys directory is 0700.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class Prefix {

    private static final ObjectMapper JSON = Json.mapper();
    /** A file in a prefix that marks its environment as deliberately kept after its JVM ended. */
    public static final String KEPT_MARKER = "KEPT";

    private static final String METADATA = "prefix.json";
    /** The file that lists the environment's networks and machines with their states ({@link PrefixResource}). */
    public static final String RESOURCES = "resources.json";

    /** The file that holds the environment's spec as provisioning began ({@link #writeSpec}). */
    public static final String SPEC = "spec.json";

    private static final TypeReference<List<PrefixResource>> RESOURCE_LIST = new TypeReference<>() {};

    /**
     * What {@link #declaredProviders} reads of {@value #SPEC}: the fields {@link EnvironmentSpec} and
     * {@link MachineSpec} write under these names (the rest is ignored, as the provider options are not read back).
     */
    record DeclaredSpec(List<DeclaredMachine> machines) {}

    /** A machine of {@link DeclaredSpec}. */
    record DeclaredMachine(String name, String provider) {}

    private final Path dir;
    private final PrefixMetadata metadata;

    private Prefix(Path dir, PrefixMetadata metadata) {
        this.dir = dir;
        this.metadata = metadata;
    }

    /**
     * Creates a new prefix under {@code root} for the environment {@code name}, with a fresh uuid and an empty keys
     * directory (0700) for the key pair at {@link #keyFile()}, which the engine generates.
     *
     * @throws TestbedException when the directory cannot be created
     */
    public static Prefix create(Path root, String name) {
        String id = UUID.randomUUID().toString();
        Path dir = root.toAbsolutePath().normalize().resolve(name + "-" + id.substring(0, 8));
        try {
            Files.createDirectories(root);
            Files.createDirectory(dir);
            for (Path sub : new Path[] {dir, dir.resolve("logs"), dir.resolve("disks")}) {
                Files.createDirectories(sub);
                Files.setPosixFilePermissions(sub, FileModes.READABLE_DIRECTORY);
            }
            Files.createDirectory(
                    dir.resolve("keys"), PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY_DIRECTORY));
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot create prefix directory " + dir + ": " + e
                            + "; check that testbed.prefix.root points to a writable directory",
                    e);
        }
        Prefix prefix = new Prefix(
                dir,
                new PrefixMetadata(
                        id,
                        name,
                        ProcessHandle.current().pid(),
                        ProcessHandle.current().info().startInstant().orElse(Instant.now()),
                        Instant.now()));
        prefix.writeMetadata();
        return prefix;
    }

    /**
     * Reopens an existing prefix directory.
     *
     * @throws TestbedException when {@code dir} holds no readable {@code prefix.json}
     */
    public static Prefix open(Path dir) {
        Path file = dir.resolve(METADATA);
        try {
            return new Prefix(dir.toAbsolutePath().normalize(), JSON.readValue(file.toFile(), PrefixMetadata.class));
        } catch (IOException e) {
            throw new TestbedException(
                    "Not a Testbed prefix: " + dir + " (cannot read " + METADATA + ": " + e + ")", e);
        }
    }

    /** Whether {@code dir} looks like a prefix (has {@code prefix.json}). */
    public static boolean isPrefix(Path dir) {
        return Files.isRegularFile(dir.resolve(METADATA));
    }

    public String id() {
        return metadata.id();
    }

    /** The first 8 characters of the uuid, used in provider object names. */
    public String shortId() {
        return metadata.id().substring(0, 8);
    }

    public String name() {
        return metadata.name();
    }

    public PrefixMetadata metadata() {
        return metadata;
    }

    public Path dir() {
        return dir;
    }

    public Path logsDir() {
        return dir.resolve("logs");
    }

    public Path disksDir() {
        return dir.resolve("disks");
    }

    /** Where a machine's serial console is logged ({@code logs/<machine>-console.log}), by providers that have one. */
    public Path consoleLog(String machine) {
        return logsDir().resolve(machine + "-console.log");
    }

    public Path journalFile() {
        return dir.resolve("journal.jsonl");
    }

    /** The per-prefix SSH private key (OpenSSH format, 0600); its public key is beside it with {@code .pub}. */
    public Path keyFile() {
        return dir.resolve("keys/id_ed25519");
    }

    /**
     * The environment's networks and machines as the engine last wrote them to {@value #RESOURCES}; empty before
     * provisioning created any.
     *
     * @throws TestbedException when the file exists but cannot be read
     */
    public List<PrefixResource> resources() {
        Path file = dir.resolve(RESOURCES);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            return List.copyOf(JSON.readValue(file.toFile(), RESOURCE_LIST));
        } catch (IOException e) {
            throw new TestbedException("Cannot read " + file + ": " + e, e);
        }
    }

    /** Replaces {@value #RESOURCES}, atomically. */
    public void writeResources(List<PrefixResource> resources) {
        writeJson(RESOURCES, resources);
    }

    /** Writes {@value #SPEC}, atomically: the spec this prefix's environment is provisioned from. */
    public void writeSpec(EnvironmentSpec spec) {
        writeJson(SPEC, spec);
    }

    /**
     * The providers of the machines {@value #SPEC} declares: which providers may hold objects of this environment
     * even before {@value #RESOURCES} names them (a JVM killed while it created them).
     *
     * @return empty when the spec was not written yet
     * @throws TestbedException when the file exists but cannot be read (a write cut short)
     */
    public Set<String> declaredProviders() {
        if (!Files.isRegularFile(dir.resolve(SPEC))) {
            return Set.of();
        }
        Set<String> providers = new LinkedHashSet<>();
        for (DeclaredMachine machine : readJson(SPEC, DeclaredSpec.class).machines()) {
            if (machine.provider() != null) {
                providers.add(machine.provider());
            }
        }
        return providers;
    }

    /** Whether the environment is kept on purpose: the {@value #KEPT_MARKER} marker exists. */
    public boolean kept() {
        return Files.exists(dir.resolve(KEPT_MARKER));
    }

    /** Writes an auxiliary JSON document (resources, spec) next to the metadata, atomically. */
    public void writeJson(String fileName, Object value) {
        Path target = dir.resolve(fileName);
        try {
            AtomicFiles.writeJson(target, value);
        } catch (IOException e) {
            throw new TestbedException("Cannot write " + target + ": " + e, e);
        }
    }

    /** Reads an auxiliary JSON document written by {@link #writeJson}. */
    public <T> T readJson(String fileName, Class<T> type) {
        try {
            return JSON.readValue(dir.resolve(fileName).toFile(), type);
        } catch (IOException e) {
            throw new TestbedException("Cannot read " + dir.resolve(fileName) + ": " + e, e);
        }
    }

    private void writeMetadata() {
        writeJson(METADATA, metadata);
    }

    @Override
    public String toString() {
        return "prefix " + name() + " (" + dir + ")";
    }
}
