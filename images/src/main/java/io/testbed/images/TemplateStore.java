package io.testbed.images;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.ExclusiveLock;
import io.testbed.core.internal.support.FileModes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * A content-addressed cache of VM templates, shared by every JVM on the host.
 *
 * <p>{@link #resolve(String)} accepts a built-in template name ({@value #TINY}) or the path of a local qcow2
 * or raw image. A built-in template lives in {@code <root>/<name>/<key>/} where the key is a SHA-256 over
 * the recipe version and its exact inputs (the .deb files' versions and hashes, learnt from apt's index
 * without downloading anything). It is built only when no directory for the current key exists:
 * <ul>
 *   <li>into a temporary directory next to it, renamed into place when complete — readers never see a
 *       half-built template;</li>
 *   <li>under a file lock ({@code <root>/<name>/.lock}) plus an in-process lock, so when several JVMs or
 *       threads ask at once one builds and the others wait and reuse its result;</li>
 *   <li>with directories 0755 and files 0644, so the QEMU user ({@code libvirt-qemu}) can read them.</li>
 * </ul>
 * Progress lines (packages fetched, image sizes, total time) go to the listener given at
 * {@link #open(Path, Consumer)}.
 *
 * <p>The default root is {@value #DEFAULT_SYSTEM_ROOT} when writable, else
 * {@code $XDG_CACHE_HOME/testbed/templates} or {@code ~/.cache/testbed/templates}; the system property
 * {@value #ROOT_PROPERTY} or the environment variable {@value #ROOT_ENVIRONMENT} override it. Old keys are
 * not deleted automatically; remove their directories when disk space matters.
 *
 * <p>Instances are thread-safe.
 */
@API(status = API.Status.INTERNAL)
public final class TemplateStore {

    /** The built-in template: Debian cloud kernel, busybox, dropbear, iproute2's tc, sftp-server. */
    public static final String TINY = "tiny";

    private static final String MANIFEST = "manifest.json";
    private static final String TEMP_PREFIX = ".tmp-";

    /** How long a build waits for another thread's or process's build of the same template. */
    private static final Duration BUILD_LOCK_TIMEOUT = Duration.ofHours(1);
    /** The manifest and the inputs memo: indented, durations as ISO-8601 text ({@code PT12.3S}). */
    private static final ObjectWriter FILE_WRITER =
            Json.pretty().without(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private final Path root;
    private final Consumer<String> progress;
    private final Map<String, TemplateRecipe> recipes;
    private final AtomicInteger builds = new AtomicInteger();

    TemplateStore(Path root, Consumer<String> progress, List<TemplateRecipe> recipes) {
        this.root = root.toAbsolutePath().normalize();
        this.progress = Objects.requireNonNull(progress, "progress");
        Map<String, TemplateRecipe> byName = new LinkedHashMap<>();
        recipes.forEach(recipe -> byName.put(recipe.name(), recipe));
        this.recipes = Map.copyOf(byName);
    }

    /**
     * Opens (creating if needed) the store at {@code root}.
     *
     * @param progress receives human-readable progress lines; may be {@code line -> {}}
     */
    public static TemplateStore open(Path root, Consumer<String> progress) {
        return new TemplateStore(root, progress, List.of(new TinyTemplateRecipe(new DebianPackages(progress))));
    }

    /** Opens the store at {@link #defaultRoot()}. */
    public static TemplateStore openDefault(Consumer<String> progress) {
        return open(defaultRoot(), progress);
    }

    /**
     * Opens the store {@code config} names ({@value TestbedConfig#TEMPLATE_CACHE}), or the one at
     * {@link #defaultRoot()} when it names none.
     */
    public static TemplateStore configured(TestbedConfig config, Consumer<String> progress) {
        return config.templateCache().map(root -> open(root, progress)).orElseGet(() -> openDefault(progress));
    }

    /** The default root directory; see the class documentation for the order of choices. */
    public static Path defaultRoot() {
        return TemplateCacheRoot.byDefault();
    }

    /** The store's root directory. */
    public Path root() {
        return root;
    }

    /** The names {@link #resolve} accepts besides image paths. */
    public Set<String> builtInNames() {
        return recipes.keySet();
    }

    /** How many templates this instance has built (0 when everything came from the cache). */
    public int buildCount() {
        return builds.get();
    }

    /**
     * Resolves a template: a built-in name (built on first use, then cached) or the path of a local qcow2
     * or raw image file (absolute, or relative to the working directory).
     *
     * @throws TemplateException when the name is unknown, the image is missing or not qcow2/raw, or the
     *                           build fails (the message names the failing step or command)
     */
    public Template resolve(String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        TemplateRecipe recipe = recipes.get(nameOrPath);
        if (recipe != null) {
            return resolveBuilt(recipe);
        }
        if (nameOrPath.contains("/") || nameOrPath.matches(".*\\.(qcow2|img|raw)$")) {
            return ImageTemplates.inspect(Path.of(nameOrPath));
        }
        throw new TemplateException("Unknown template '" + nameOrPath + "': use a built-in template ("
                + String.join(", ", recipes.keySet()) + ") or the path of a qcow2 or raw disk image file");
    }

    /**
     * Checks a local image file as {@link #resolve(String)} would take it as a template, with no store: cheap
     * ({@code qemu-img info}), so a file that is not a usable image is rejected before anything is provisioned.
     *
     * @throws TemplateException when the file is missing, unreadable, in another format or not a disk image
     */
    public static Template inspectImage(Path file) {
        return ImageTemplates.inspect(file);
    }

    /** The newest complete build of built-in template {@code name} in this cache; resolves and builds nothing. */
    public Optional<Template> cachedBuild(String name) {
        return newestBuilt(root.resolve(name)).map(directory -> load(name, directory));
    }

    private Template resolveBuilt(TemplateRecipe recipe) {
        Path nameDirectory = root.resolve(recipe.name());
        List<TemplateInput> inputs;
        try {
            inputs = resolveInputs(recipe, nameDirectory);
        } catch (TemplateException e) {
            Optional<Path> newest = newestBuilt(nameDirectory);
            if (newest.isPresent()) {
                progress.accept("template " + recipe.name() + ": cannot resolve inputs (" + e.getMessage()
                        + "); using the newest cached build " + newest.get());
                return load(recipe.name(), newest.get());
            }
            throw e;
        }
        String key = CacheKey.of(recipe.name(), recipe.version(), inputs);
        Path directory = nameDirectory.resolve(key);
        if (isComplete(directory)) {
            Template template = load(recipe.name(), directory);
            progress.accept("template " + recipe.name() + ": cached " + directory + " (built "
                    + template.manifest().builtAt() + ")");
            return template;
        }
        createDirectories(nameDirectory);
        try (ExclusiveLock lock = lockForBuild(nameDirectory.resolve(".lock"), recipe.name())) {
            if (isComplete(directory)) {
                progress.accept(
                        "template " + recipe.name() + ": built by another process meanwhile, reusing " + directory);
                return load(recipe.name(), directory);
            }
            removeLeftovers(nameDirectory, directory);
            build(recipe, inputs, key, directory);
        }
        return load(recipe.name(), directory);
    }

    private ExclusiveLock lockForBuild(Path lockFile, String name) {
        try {
            ExclusiveLock lock = ExclusiveLock.acquire(
                    lockFile,
                    BUILD_LOCK_TIMEOUT,
                    holder -> progress.accept("template " + name + ": "
                            + (holder == ExclusiveLock.Holder.THIS_JVM ? "another thread is" : "another process is")
                            + " building it (" + lockFile + "); waiting"));
            try {
                Files.setPosixFilePermissions(lockFile, FileModes.READABLE_FILE);
            } catch (IOException ignored) {
                // another user's lock file: it still locks
            }
            return lock;
        } catch (UncheckedIOException | ExclusiveLock.TimeoutException e) {
            throw new TemplateException(
                    "Cannot lock " + lockFile + " to build template " + name + ": " + e.getMessage(), e);
        }
    }

    /** What {@link #resolveInputs} remembers between runs. */
    record InputsMemo(String recipeVersion, String fingerprint, List<TemplateInput> inputs) {}

    /** The recipe's inputs, remembered in {@code inputs.json} while the recipe's fingerprint stays the same. */
    private List<TemplateInput> resolveInputs(TemplateRecipe recipe, Path nameDirectory) {
        String fingerprint = recipe.inputsFingerprint();
        Path memoFile = nameDirectory.resolve("inputs.json");
        if (fingerprint != null && Files.isRegularFile(memoFile)) {
            try {
                InputsMemo memo = Json.mapper().readValue(memoFile.toFile(), InputsMemo.class);
                if (recipe.version().equals(memo.recipeVersion()) && fingerprint.equals(memo.fingerprint())) {
                    return memo.inputs();
                }
            } catch (IOException | RuntimeException e) {
                progress.accept("template " + recipe.name() + ": ignoring unreadable " + memoFile + " (" + e + ")");
            }
        }
        progress.accept("template " + recipe.name() + ": resolving exact inputs");
        List<TemplateInput> inputs = List.copyOf(recipe.resolveInputs(progress));
        if (fingerprint != null) {
            try {
                createDirectories(nameDirectory);
                AtomicFiles.write(
                        memoFile, FILE_WRITER.writeValueAsBytes(new InputsMemo(recipe.version(), fingerprint, inputs)));
                Files.setPosixFilePermissions(memoFile, FileModes.READABLE_FILE);
            } catch (IOException | RuntimeException e) {
                progress.accept("template " + recipe.name() + ": cannot remember inputs in " + memoFile + " (" + e
                        + "); they will be resolved again next time");
            }
        }
        return inputs;
    }

    private void build(TemplateRecipe recipe, List<TemplateInput> inputs, String key, Path directory) {
        Instant start = Instant.now();
        progress.accept("template " + recipe.name() + ": building (key " + key.substring(0, 16) + "…, recipe "
                + recipe.version() + ") in " + directory.getParent());
        Path temp = directory.resolveSibling(TEMP_PREFIX + key.substring(0, 16) + "-" + UUID.randomUUID());
        try {
            Path output = temp.resolve("out");
            Path work = temp.resolve("work");
            Files.createDirectories(output);
            Files.createDirectories(work);
            TemplateRecipe.BuildResult result = recipe.build(inputs, output, work, progress);
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (String file : List.of(TemplateRecipe.KERNEL, TemplateRecipe.INITRD, TemplateRecipe.DISK)) {
                Path path = output.resolve(file);
                if (!Files.isRegularFile(path)) {
                    throw new TemplateException("Recipe " + recipe.name() + " finished without producing " + file);
                }
                sizes.put(file, Files.size(path));
            }
            Duration buildTime = Duration.between(start, Instant.now());
            TemplateManifest manifest = new TemplateManifest(
                    recipe.name(),
                    Template.Kind.BUILT,
                    key,
                    recipe.version(),
                    start,
                    buildTime,
                    inputs,
                    result.kernelVersion(),
                    result.kernelCommandLine(),
                    sizes,
                    Template.DiskFormat.QCOW2.qemuName(),
                    result.diskVirtualSize(),
                    sizes.get(TemplateRecipe.DISK),
                    result.rootTreeBytes(),
                    result.contents());
            FILE_WRITER.writeValue(output.resolve(MANIFEST).toFile(), manifest);
            FileTrees.makeWorldReadable(output);
            try {
                Files.move(output, directory, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new TemplateException(
                        "Cannot move the built template into place atomically (" + e.getMessage()
                                + "); the store root must be one file system",
                        e);
            }
            builds.incrementAndGet();
            progress.accept(String.format(
                    "template %s: built in %.1f s — kernel %s %s, initrd %s, root disk %s "
                            + "(qcow2, virtual %s, root files %s)",
                    recipe.name(),
                    buildTime.toMillis() / 1000.0,
                    result.kernelVersion(),
                    mib(sizes.get(TemplateRecipe.KERNEL)),
                    mib(sizes.get(TemplateRecipe.INITRD)),
                    mib(sizes.get(TemplateRecipe.DISK)),
                    mib(result.diskVirtualSize()),
                    mib(result.rootTreeBytes())));
            warnIfQemuUserCannotRead(directory);
        } catch (IOException e) {
            throw new TemplateException(
                    "Building template " + recipe.name() + " failed: " + e + "; check free space and permissions under "
                            + root,
                    e);
        } finally {
            FileTrees.deleteQuietly(temp);
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    private Template load(String name, Path directory) {
        TemplateManifest manifest;
        try {
            manifest = Json.mapper().readValue(directory.resolve(MANIFEST).toFile(), TemplateManifest.class);
        } catch (IOException e) {
            throw new TemplateException(
                    "Template " + name + " in " + directory + " has an unreadable manifest (" + e.getMessage()
                            + "); delete that directory so it is rebuilt",
                    e);
        }
        Path disk = directory.resolve(TemplateRecipe.DISK);
        Path kernel = directory.resolve(TemplateRecipe.KERNEL);
        Path initrd = directory.resolve(TemplateRecipe.INITRD);
        for (Path file : List.of(disk, kernel, initrd)) {
            if (!Files.isRegularFile(file)) {
                throw new TemplateException("Template " + name + " in " + directory + " lacks " + file.getFileName()
                        + "; delete that directory so it is rebuilt");
            }
        }
        return new Template(
                name,
                Template.Kind.BUILT,
                disk,
                Template.DiskFormat.QCOW2,
                Optional.of(kernel),
                Optional.of(initrd),
                Optional.of(manifest.kernelCommandLine()),
                manifest);
    }

    private static boolean isComplete(Path directory) {
        return Files.isRegularFile(directory.resolve(MANIFEST));
    }

    private static Optional<Path> newestBuilt(Path nameDirectory) {
        if (!Files.isDirectory(nameDirectory)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(nameDirectory)) {
            return children.filter(TemplateStore::isComplete)
                    .max(Comparator.comparing(
                            child -> child.resolve(MANIFEST).toFile().lastModified()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Under the build lock, any temporary directory is a leftover of a build that crashed. */
    private void removeLeftovers(Path nameDirectory, Path directory) {
        try (Stream<Path> children = Files.list(nameDirectory)) {
            for (Path child : children.toList()) {
                if (child.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    progress.accept("template: removing leftover of an interrupted build " + child);
                    FileTrees.deleteQuietly(child);
                }
            }
        } catch (IOException e) {
            throw new TemplateException("Cannot list " + nameDirectory + ": " + e.getMessage(), e);
        }
        if (Files.exists(directory)) {
            progress.accept("template: " + directory + " is incomplete (no manifest); rebuilding it");
            FileTrees.deleteQuietly(directory);
        }
    }

    private void createDirectories(Path directory) {
        try {
            FileTrees.createReadableDirectories(directory);
        } catch (IOException e) {
            throw new TemplateException(
                    "Cannot create the template store directory " + directory + ": " + e
                            + "; choose a writable root with -D" + TemplateCacheRoot.ROOT_PROPERTY + "=DIR",
                    e);
        }
    }

    private void warnIfQemuUserCannotRead(Path directory) {
        for (Path path = directory; path != null; path = path.getParent()) {
            try {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                if (!permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    progress.accept("WARNING: " + path + " is not searchable by other users, so QEMU running as "
                            + "libvirt-qemu cannot read templates in " + directory + "; use a store root outside it "
                            + "(-D" + TemplateCacheRoot.ROOT_PROPERTY + "=DIR) or chmod o+x " + path);
                    return;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return;
            }
        }
    }
}
