package io.testbed.junit.internal;

import io.testbed.core.config.TestbedConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Reads Testbed's configuration through JUnit: every key {@link TestbedConfig#knownKeys()} lists is read with
 * {@link ExtensionContext#getConfigurationParameter(String)}, so launcher parameters, system properties and
 * {@code junit-platform.properties} apply with JUnit's precedence.
 *
 * <p>An extension cannot list the parameters JUnit holds, so to catch misspelt keys ({@code testbed.lese.dir}) the
 * {@code testbed.*} keys of the sources that can be listed — the launcher request's configuration parameters
 * (remembered by {@link LauncherParameters}), system properties and {@code junit-platform.properties} on the class
 * path — are handed to {@link TestbedConfig#of} too, which rejects unknown ones naming the closest known key.
 */
final class ConfigurationReader {

    static final String PROPERTIES_FILE = "junit-platform.properties";

    private ConfigurationReader() {}

    /**
     * @throws ExtensionConfigurationException naming every unknown key and invalid value
     */
    static TestbedConfig read(ExtensionContext context) {
        Map<String, String> values = new LinkedHashMap<>();
        classpathProperties().forEach((key, value) -> putTestbedKey(values, key, value));
        System.getProperties().forEach((key, value) -> putTestbedKey(values, key, value));
        for (String key : LauncherParameters.keys()) {
            context.getConfigurationParameter(key).ifPresent(value -> values.put(key, value));
        }
        for (String key : TestbedConfig.knownKeys().keySet()) {
            context.getConfigurationParameter(key).ifPresent(value -> values.put(key, value));
        }
        try {
            return TestbedConfig.of(values);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(
                    e.getMessage()
                            + " (Testbed reads configuration parameters given to the launcher, system properties and "
                            + PROPERTIES_FILE + "; known keys: "
                            + TestbedConfig.knownKeys().keySet() + ")",
                    e);
        }
    }

    /**
     * {@code config} with what the class's {@link io.testbed.junit.Prefix @Prefix} overrides for its environment:
     * {@code libvirtUri} replaces {@value TestbedConfig#LIBVIRT_URI}.
     */
    static TestbedConfig forClass(TestbedConfig config, Topology topology) {
        String libvirtUri =
                topology.prefix().map(io.testbed.junit.Prefix::libvirtUri).orElse("");
        return libvirtUri.isEmpty() ? config : config.with(TestbedConfig.LIBVIRT_URI, libvirtUri);
    }

    private static void putTestbedKey(Map<String, String> values, Object key, Object value) {
        if (key instanceof String name && name.startsWith("testbed.") && value != null) {
            values.put(name, String.valueOf(value));
        }
    }

    private static Properties classpathProperties() {
        Properties properties = new Properties();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ConfigurationReader.class.getClassLoader();
        }
        try {
            Enumeration<URL> files = loader.getResources(PROPERTIES_FILE);
            // JUnit uses the first file found; so do we
            if (files.hasMoreElements()) {
                try (InputStream in = files.nextElement().openStream()) {
                    properties.load(in);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + PROPERTIES_FILE + " from the class path: " + e, e);
        }
        return properties;
    }
}
