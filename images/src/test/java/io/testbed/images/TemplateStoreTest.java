package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's caching, locking and atomicity, with a recipe that writes small files (no apt, no QEMU). */
class TemplateStoreTest {

    @TempDir
    Path root;

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /** A recipe that counts its calls and can be slowed down or made to fail. */
    static final class CountingRecipe implements TemplateRecipe {
        final AtomicInteger builds = new AtomicInteger();
        final AtomicInteger resolutions = new AtomicInteger();
        volatile String version = "v1";
        volatile String fingerprint = null;
        volatile long buildMillis = 0;
        volatile boolean fail = false;
        volatile List<TemplateInput> inputs = List.of(new TemplateInput("pkg", "1.0", "a".repeat(64), 10));

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String version() {
            return version;
        }

        @Override
        public String inputsFingerprint() {
            return fingerprint;
        }

        @Override
        public List<TemplateInput> resolveInputs(Consumer<String> progress) {
            resolutions.incrementAndGet();
            return inputs;
        }

        @Override
        public BuildResult build(List<TemplateInput> in, Path output, Path work, Consumer<String> progress) {
            builds.incrementAndGet();
            try {
                Thread.sleep(buildMillis);
                Files.writeString(output.resolve(KERNEL), "kernel");
                Files.writeString(work.resolve("scratch"), "temporary");
                if (fail) {
                    throw new TemplateException("recipe failed on purpose");
                }
                Files.writeString(output.resolve(INITRD), "initrd");
                Files.writeString(output.resolve(DISK), "disk");
                Files.setPosixFilePermissions(output.resolve(DISK), PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new TemplateException(e.toString(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TemplateException("interrupted", e);
            }
            return new BuildResult("6.1.0-test", "console=ttyS0", 1 << 20, 42, Map.of("programs", List.of("/bin/x")));
        }
    }

    private TemplateStore store(CountingRecipe recipe) {
        return new TemplateStore(root, log::add, List.of(recipe));
    }

    @Test
    void buildsOnceThenReusesTheCachedTemplateAcrossStoreInstances() {
        CountingRecipe recipe = new CountingRecipe();
        TemplateStore first = store(recipe);
        Template built = first.resolve("fake");
        assertThat(first.buildCount()).isEqualTo(1);

        TemplateStore second = store(recipe);
        Template cached = second.resolve("fake");
        assertThat(second.buildCount()).isZero();
        assertThat(recipe.builds).hasValue(1);
        assertThat(cached.disk()).isEqualTo(built.disk());
        assertThat(log).anyMatch(line -> line.startsWith("template fake: cached "));
    }

    @Test
    void builtTemplateHasItsFilesManifestAndCommandLine() throws IOException {
        CountingRecipe recipe = new CountingRecipe();
        Template template = store(recipe).resolve("fake");
        String key = CacheKey.of("fake", "v1", recipe.inputs);

        assertThat(template.kind()).isEqualTo(Template.Kind.BUILT);
        assertThat(template.disk()).isEqualTo(root.resolve("fake").resolve(key).resolve("root.qcow2"));
        assertThat(template.kernel()).contains(root.resolve("fake").resolve(key).resolve("vmlinuz"));
        assertThat(template.kernelCommandLine()).contains("console=ttyS0");
        assertThat(template.bootsFromKernel()).isTrue();
        TemplateManifest manifest = template.manifest();
        assertThat(manifest.key()).isEqualTo(key);
        assertThat(manifest.recipeVersion()).isEqualTo("v1");
        assertThat(manifest.inputs()).isEqualTo(recipe.inputs);
        assertThat(manifest.fileSizes()).containsEntry("root.qcow2", 4L).containsEntry("vmlinuz", 6L);
        assertThat(manifest.kernelVersion()).isEqualTo("6.1.0-test");
        assertThat(manifest.buildTime()).isNotNull();
        assertThat(manifest.contents()).containsEntry("programs", List.of("/bin/x"));
        assertThat(Files.readString(root.resolve("fake").resolve(key).resolve("manifest.json")))
                .contains("\"recipeVersion\" : \"v1\"");
    }

    @Test
    void everythingIsReadableByTheQemuUser() throws IOException {
        Template template = store(new CountingRecipe()).resolve("fake");
        Path directory = template.disk().getParent();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(template.disk())))
                .isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("manifest.json"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void changedInputsOrRecipeVersionBuildANewTemplateNextToTheOld() {
        CountingRecipe recipe = new CountingRecipe();
        Template first = store(recipe).resolve("fake");
        recipe.inputs = List.of(new TemplateInput("pkg", "1.1", "b".repeat(64), 10));
        Template second = store(recipe).resolve("fake");
        recipe.version = "v2";
        Template third = store(recipe).resolve("fake");

        assertThat(recipe.builds).hasValue(3);
        assertThat(List.of(first.disk(), second.disk(), third.disk())).doesNotHaveDuplicates();
        assertThat(first.disk()).exists();
    }

    @Test
    void concurrentRequestsBuildOnceAndAllReuseTheResult() throws Exception {
        CountingRecipe recipe = new CountingRecipe();
        recipe.buildMillis = 300;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Template>> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                requests.add(() -> store(recipe).resolve("fake"));
            }
            List<Path> disks = new ArrayList<>();
            for (Future<Template> result : pool.invokeAll(requests)) {
                disks.add(result.get().disk());
            }
            assertThat(recipe.builds).hasValue(1);
            assertThat(disks).containsOnly(disks.get(0));
            assertThat(log)
                    .anyMatch(line -> line.contains("another thread is building it; waiting")
                            || line.contains("built by another process meanwhile"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void failedBuildLeavesNothingBehindAndTheNextRequestBuildsAgain() throws IOException {
        CountingRecipe recipe = new CountingRecipe();
        recipe.fail = true;
        assertThatThrownBy(() -> store(recipe).resolve("fake")).hasMessageContaining("recipe failed on purpose");
        try (Stream<Path> left = Files.list(root.resolve("fake"))) {
            assertThat(left.map(path -> path.getFileName().toString())).containsOnly(".lock");
        }
        recipe.fail = false;
        TemplateStore store = store(recipe);
        assertThat(store.resolve("fake").disk()).exists();
        assertThat(store.buildCount()).isEqualTo(1);
    }

    @Test
    void leftoversOfACrashedBuildAreRemovedUnderTheLock() throws IOException {
        Path leftover = Files.createDirectories(root.resolve("fake/.tmp-0123456789abcdef-crashed/out"));
        store(new CountingRecipe()).resolve("fake");
        assertThat(leftover.getParent()).doesNotExist();
        assertThat(log).anyMatch(line -> line.contains("removing leftover of an interrupted build"));
    }

    @Test
    void resolvedInputsAreRememberedWhileTheFingerprintStaysTheSame() {
        CountingRecipe recipe = new CountingRecipe();
        recipe.fingerprint = "lists-1";
        store(recipe).resolve("fake");
        store(recipe).resolve("fake");
        assertThat(recipe.resolutions).hasValue(1);

        recipe.fingerprint = "lists-2";
        store(recipe).resolve("fake");
        assertThat(recipe.resolutions).hasValue(2);

        recipe.fingerprint = null;
        store(recipe).resolve("fake");
        store(recipe).resolve("fake");
        assertThat(recipe.resolutions).hasValue(4);
    }

    @Test
    void unknownNamesAreRejectedWithTheChoices() {
        assertThatThrownBy(() -> store(new CountingRecipe()).resolve("huge"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("Unknown template 'huge': use a built-in template (fake) or the path of a qcow2 or raw "
                        + "disk image file");
    }

    @Test
    void missingImageFilesAreRejected() {
        assertThatThrownBy(() -> store(new CountingRecipe())
                        .resolve(root.resolve("nope.qcow2").toString()))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("nope.qcow2 does not exist or is not a regular file");
    }

    @Test
    void defaultRootPrefersPropertyThenEnvironmentThenSystemCacheThenUserCache() {
        Map<String, String> env =
                Map.of(TemplateCacheRoot.ROOT_ENVIRONMENT, "/env/templates", "XDG_CACHE_HOME", "/xdg");
        assertThat(TemplateCacheRoot.choose("/prop/templates", env, "/home/u", path -> true))
                .isEqualTo(Path.of("/prop/templates"));
        assertThat(TemplateCacheRoot.choose(null, env, "/home/u", path -> true)).isEqualTo(Path.of("/env/templates"));
        assertThat(TemplateCacheRoot.choose(null, Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u", path -> true))
                .isEqualTo(Path.of("/var/cache/testbed/templates"));
        assertThat(TemplateCacheRoot.choose(null, Map.of("XDG_CACHE_HOME", "/xdg"), "/home/u", path -> false))
                .isEqualTo(Path.of("/xdg/testbed/templates"));
        assertThat(TemplateCacheRoot.choose(null, Map.of(), "/home/u", path -> false))
                .isEqualTo(Path.of("/home/u/.cache/testbed/templates"));
        assertThat(TemplateCacheRoot.choose(null, Map.of("XDG_CACHE_HOME", "relative"), "/home/u", path -> false))
                .isEqualTo(Path.of("/home/u/.cache/testbed/templates"));
    }
}
