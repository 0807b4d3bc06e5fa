package io.testbed.images;

import io.testbed.core.config.TestbedConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import org.apiguardian.api.API;

/** Where the template store lives when the configuration names no directory. */
@API(status = API.Status.INTERNAL)
public final class TemplateCacheRoot {

    /** System property naming the store's root directory. */
    public static final String ROOT_PROPERTY = TestbedConfig.TEMPLATE_CACHE;
    /** Environment variable naming the store's root directory. */
    public static final String ROOT_ENVIRONMENT = "TESTBED_TEMPLATES_DIR";
    /** The preferred root when the JVM may write there. */
    public static final String DEFAULT_SYSTEM_ROOT = "/var/cache/testbed/templates";

    private TemplateCacheRoot() {}

    /** The default root of the running JVM. */
    static Path byDefault() {
        return choose(
                System.getProperty(ROOT_PROPERTY),
                System.getenv(),
                System.getProperty("user.home"),
                TemplateCacheRoot::writableOrCreatable);
    }

    /**
     * The root from {@code property} (the system property), else from {@value #ROOT_ENVIRONMENT}, else
     * {@value #DEFAULT_SYSTEM_ROOT} when {@code writable}, else {@code $XDG_CACHE_HOME/testbed/templates} when that is
     * absolute, else {@code ~/.cache/testbed/templates}.
     */
    static Path choose(String property, Map<String, String> environment, String home, Predicate<Path> writable) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String fromEnvironment = environment.get(ROOT_ENVIRONMENT);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        Path system = Path.of(DEFAULT_SYSTEM_ROOT);
        if (writable.test(system)) {
            return system;
        }
        String xdg = environment.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "testbed", "templates");
        }
        return Path.of(home, ".cache", "testbed", "templates");
    }

    private static boolean writableOrCreatable(Path directory) {
        Path existing = directory;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
    }
}
