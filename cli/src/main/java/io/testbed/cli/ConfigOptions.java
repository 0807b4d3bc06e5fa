package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The configuration a command works with: Testbed's keys from system properties and from {@code -D KEY=VALUE}
 * options, checked by {@link TestbedConfig} (an unknown key names the closest known one), so the command sees the
 * lease store, registry and libvirt the tests use.
 */
final class ConfigOptions {

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description = "A Testbed configuration key, e.g. -D testbed.lease.dir=/var/tmp/testbed/leases or "
                    + "-D testbed.libvirt.uri=qemu:///system (repeatable).")
    Map<String, String> values = new LinkedHashMap<>();

    /**
     * The configuration: defaults, then system properties, then {@code -D} options.
     *
     * @throws IllegalArgumentException naming each unknown key or invalid value
     */
    TestbedConfig config() {
        Map<String, String> merged = new LinkedHashMap<>();
        System.getProperties().forEach((key, value) -> merged.put(String.valueOf(key), String.valueOf(value)));
        merged.putAll(values);
        return TestbedConfig.of(merged);
    }
}
