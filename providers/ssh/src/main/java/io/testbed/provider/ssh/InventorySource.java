package io.testbed.provider.ssh;

import io.testbed.core.config.TestbedConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * Where the inventory comes from: {@value TestbedConfig#SSH_INVENTORY} names a file (absolute, or relative to the
 * working directory) or, when no such file exists, a resource on the test class path (default
 * {@value TestbedConfig#DEFAULT_SSH_INVENTORY}). A resource that is a file is read from disk, so relative key paths
 * in it resolve against its directory; one inside a jar resolves them against the working directory.
 */
@API(status = API.Status.INTERNAL)
final class InventorySource {

    private InventorySource() {}

    /**
     * Reads and checks the configured inventory.
     *
     * @throws InventoryException saying what the key names and that neither a file nor a resource has that name, or
     *                            listing every problem of the file
     */
    static Inventory load(Map<String, String> configuration) {
        String name = configuration
                .getOrDefault(TestbedConfig.SSH_INVENTORY, TestbedConfig.DEFAULT_SSH_INVENTORY)
                .strip();
        Path file = Path.of(name);
        if (Files.isRegularFile(file)) {
            return Inventory.load(file);
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL resource = loader == null ? null : loader.getResource(name.startsWith("/") ? name.substring(1) : name);
        if (resource == null) {
            throw new InventoryException(java.util.List.of(TestbedConfig.SSH_INVENTORY + " names '" + name
                    + "', which is neither a file (working directory "
                    + Path.of("").toAbsolutePath()
                    + ") nor a resource on the class path; create the inventory (README, \"Existing hosts over SSH\") "
                    + "or set " + TestbedConfig.SSH_INVENTORY + " to its path"));
        }
        if (resource.getProtocol().equals("file")) {
            try {
                return Inventory.load(Path.of(resource.toURI()));
            } catch (URISyntaxException e) {
                throw new InventoryException("inventory " + resource + ": not a usable file URL: " + e, e);
            }
        }
        try (InputStream in = resource.openStream()) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Inventory.parse(resource.toString(), yaml, Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new InventoryException("inventory " + resource + ": cannot be read (" + e + ")", e);
        }
    }
}
