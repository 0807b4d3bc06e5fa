package io.testbed.core.config;

import io.testbed.core.internal.support.DidYouMean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apiguardian.api.API;

/**
 * Testbed's configuration: string keys such as {@code testbed.libvirt.uri}, read from
 * {@code junit-platform.properties}, system properties or a map. Immutable. Every known key is a constant
 * here with its default; an unknown {@code testbed.*} key is an error naming the closest known key, so a
 * typo never silently falls back to a default.
 */
@API(status = API.Status.INTERNAL)
public final class TestbedConfig {

    /** Where prefixes are created. Default {@code target/testbed} (relative to the working directory). */
    public static final String PREFIX_ROOT = "testbed.prefix.root";
    /** The lease pool in CIDR notation. Default {@code 198.18.0.0/15}. */
    public static final String LEASE_POOL = "testbed.lease.pool";
    /** The prefix length of leased subnets. Default {@code 24}. */
    public static final String LEASE_SUBNET_LENGTH = "testbed.lease.subnetLength";
    /** The directory of the host-wide lease store. Default {@value #DEFAULT_LEASE_DIR}. */
    public static final String LEASE_DIR = "testbed.lease.dir";
    /** The default of {@link #LEASE_DIR}: outlives the JVM, as leases do, and is shared by every user's JVMs. */
    public static final String DEFAULT_LEASE_DIR = "/var/tmp/testbed/leases";
    /** The libvirt connection URI. Default {@value #DEFAULT_LIBVIRT_URI}. */
    public static final String LIBVIRT_URI = "testbed.libvirt.uri";
    /** The default of {@link #LIBVIRT_URI}: the local system daemon. */
    public static final String DEFAULT_LIBVIRT_URI = "qemu:///system";
    /** How long a warm image may go unused before it is removed ({@value #WARM_IMAGE_UNUSED_DAYS}, in days). */
    public Duration warmImageUnused() {
        return Duration.ofDays(parseInt(WARM_IMAGE_UNUSED_DAYS, 1, 3650));
    }

    /** The template of VMs that name none. Default {@code tiny}. */
    public static final String DEFAULT_TEMPLATE = "testbed.template.default";
    /**
     * Whether libvirt machines of the tiny template start from its warm image (booted memory restored, identity
     * handed over a virtio-serial channel) when their shape allows, instead of booting. Default {@code true}.
     */
    public static final String WARM_START = "testbed.libvirt.warmStart";
    /**
     * After how many days without a machine started from it a warm image is removed from the template cache (when
     * another image is built, and by {@code testbed janitor}). Default {@code 7}; 1 to 3650.
     */
    public static final String WARM_IMAGE_UNUSED_DAYS = "testbed.libvirt.warmImageUnusedDays";
    /** The template cache directory. Default {@code /var/cache/testbed/templates} (or the user cache). */
    public static final String TEMPLATE_CACHE = "testbed.template.cache";
    /** The provider of machines that name none. Default {@code libvirt}. */
    public static final String DEFAULT_PROVIDER = "testbed.provider.default";
    /** How many provisioning steps run at once. Default: the number of cores, at least 2, at most 8. */
    public static final String PARALLELISM = "testbed.parallelism";
    /** What to keep after the tests: {@code never}, {@code on-failure}, {@code always}. Default {@code never}. */
    public static final String KEEP = "testbed.keep";
    /** How long a machine may take from start to answering a command, ISO-8601 or seconds. Default 180 s. */
    public static final String BOOT_TIMEOUT = "testbed.boot.timeout";
    /** Whether to print progress lines while provisioning. Default {@code true}. */
    public static final String PROGRESS = "testbed.progress";
    /** Whether the reports module's listener writes the HTML report and the summary. Default {@code true}. */
    public static final String REPORT_ENABLED = "testbed.report.enabled";
    /** Where the HTML report ({@code index.html}) is written. Default {@code target/testbed-report}. */
    public static final String REPORT_DIR = "testbed.report.dir";

    /**
     * The inventory of existing hosts for {@code @SshHost} machines: a file path, or a class path resource name.
     * Default {@value #DEFAULT_SSH_INVENTORY}, a resource on the test class path (e.g. {@code src/test/resources}).
     */
    public static final String SSH_INVENTORY = "testbed.ssh.inventory";
    /** The default of {@link #SSH_INVENTORY}. */
    public static final String DEFAULT_SSH_INVENTORY = "testbed-inventory.yaml";
    /** How long to wait for inventory hosts other test runs hold, ISO-8601 or seconds. Default 300 s. */
    public static final String SSH_LEASE_TIMEOUT = "testbed.ssh.lease.timeout";
    /** How long an existing host may take to answer SSH (or a fact probe), ISO-8601 or seconds. Default 30 s. */
    public static final String SSH_CONNECT_TIMEOUT = "testbed.ssh.connect.timeout";

    private static final Map<String, String> DEFAULTS = defaults();

    private final Map<String, String> values;

    private TestbedConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(PREFIX_ROOT, "target/testbed");
        d.put(LEASE_POOL, "198.18.0.0/15");
        d.put(LEASE_SUBNET_LENGTH, "24");
        d.put(LEASE_DIR, DEFAULT_LEASE_DIR);
        d.put(LIBVIRT_URI, DEFAULT_LIBVIRT_URI);
        d.put(DEFAULT_TEMPLATE, "tiny");
        d.put(TEMPLATE_CACHE, "");
        d.put(WARM_START, "true");
        d.put(WARM_IMAGE_UNUSED_DAYS, "7");
        d.put(DEFAULT_PROVIDER, "libvirt");
        d.put(
                PARALLELISM,
                String.valueOf(Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()))));
        d.put(KEEP, "never");
        d.put(BOOT_TIMEOUT, "180");
        d.put(PROGRESS, "true");
        d.put(REPORT_ENABLED, "true");
        d.put(REPORT_DIR, "target/testbed-report");
        d.put(SSH_INVENTORY, DEFAULT_SSH_INVENTORY);
        d.put(SSH_LEASE_TIMEOUT, "300");
        d.put(SSH_CONNECT_TIMEOUT, "30");
        return Map.copyOf(d);
    }

    /** Every known key with its default value, sorted by key. */
    public static Map<String, String> knownKeys() {
        return new TreeMap<>(DEFAULTS);
    }

    /** The defaults only. */
    public static TestbedConfig defaultConfig() {
        return of(Map.of());
    }

    /**
     * Configuration from {@code overrides} on top of the defaults. Keys not starting with {@code testbed.} are
     * ignored, so a whole properties set can be passed.
     *
     * @throws IllegalArgumentException naming every unknown {@code testbed.*} key (with the closest known one)
     *                                  and every invalid value
     */
    public static TestbedConfig of(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(DEFAULTS);
        List<String> problems = new ArrayList<>();
        overrides.forEach((key, value) -> {
            if (!key.startsWith("testbed.") || key.startsWith("testbed.it.")) {
                return;
            }
            if (!DEFAULTS.containsKey(key)) {
                problems.add("unknown configuration key '" + key + "'; did you mean '" + closest(key) + "'?");
                return;
            }
            merged.put(key, value.strip());
        });
        TestbedConfig config = new TestbedConfig(merged);
        config.check(problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid Testbed configuration: " + String.join("; ", problems));
        }
        return config;
    }

    /** Configuration from the JVM's system properties on top of the defaults. */
    public static TestbedConfig fromSystemProperties() {
        Map<String, String> map = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> map.put(String.valueOf(k), String.valueOf(v)));
        return of(map);
    }

    private void check(List<String> problems) {
        try {
            parallelism();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            keep();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            warmImageUnused();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        for (String key : new String[] {BOOT_TIMEOUT, SSH_LEASE_TIMEOUT, SSH_CONNECT_TIMEOUT}) {
            try {
                duration(key);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (get(SSH_INVENTORY).isBlank()) {
            problems.add(SSH_INVENTORY + " must name an inventory file or class path resource, was empty");
        }
        for (String key : new String[] {PROGRESS, REPORT_ENABLED, WARM_START}) {
            String value = get(key);
            if (!value.equals("true") && !value.equals("false")) {
                problems.add(key + " must be true or false, was '" + value + "'");
            }
        }
        if (get(REPORT_DIR).isBlank()) {
            problems.add(REPORT_DIR + " must name a directory, was empty");
        }
    }

    private static String closest(String key) {
        return DidYouMean.nearest(key, DEFAULTS.keySet()).orElseThrow();
    }

    /** The raw value of a known key (never null; empty when unset and without default). */
    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("unknown configuration key '" + key + "'");
        }
        return value;
    }

    /** The value of a key, or empty when it is blank. */
    public Optional<String> find(String key) {
        String value = get(key);
        return value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** All values, defaults included, for providers ({@link io.testbed.core.spi.ProviderContext}). */
    public Map<String, String> asMap() {
        return values;
    }

    /** A copy with one more value. */
    public TestbedConfig with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return of(copy);
    }

    public Path prefixRoot() {
        return Path.of(get(PREFIX_ROOT));
    }

    public Path leaseDir() {
        return Path.of(get(LEASE_DIR));
    }

    /** The libvirt connection URI ({@value #LIBVIRT_URI}). */
    public String libvirtUri() {
        return get(LIBVIRT_URI);
    }

    /** The template cache directory ({@value #TEMPLATE_CACHE}), or empty for the template store's default. */
    public Optional<Path> templateCache() {
        return find(TEMPLATE_CACHE).map(Path::of);
    }

    /** Whether libvirt machines may start from a warm image ({@value #WARM_START}). */
    public boolean warmStart() {
        return Boolean.parseBoolean(get(WARM_START));
    }

    /** The template of VMs that name none ({@value #DEFAULT_TEMPLATE}). */
    public String defaultTemplate() {
        return get(DEFAULT_TEMPLATE);
    }

    public int parallelism() {
        return parseInt(PARALLELISM, 1, 64);
    }

    public Keep keep() {
        String value = get(KEEP);
        return switch (value) {
            case "never" -> Keep.NEVER;
            case "on-failure" -> Keep.ON_FAILURE;
            case "always" -> Keep.ALWAYS;
            default ->
                throw new IllegalArgumentException(
                        KEEP + " must be one of never, on-failure, always, was '" + value + "'");
        };
    }

    public Duration bootTimeout() {
        return duration(BOOT_TIMEOUT);
    }

    /**
     * A positive duration key ({@value #BOOT_TIMEOUT}, {@value #SSH_LEASE_TIMEOUT}, {@value #SSH_CONNECT_TIMEOUT}):
     * seconds or ISO-8601.
     *
     * @throws IllegalArgumentException naming the key and the value when it is not a positive duration
     */
    public Duration duration(String key) {
        String value = get(key);
        try {
            Duration d = value.startsWith("P") || value.startsWith("p")
                    ? Duration.parse(value)
                    : Duration.ofSeconds(Long.parseLong(value));
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + " must be positive, was '" + value + "'");
            }
            return d;
        } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    key + " must be seconds or an ISO-8601 duration (PT2M), was '" + value + "'");
        }
    }

    public boolean progress() {
        return Boolean.parseBoolean(get(PROGRESS));
    }

    /** Whether the HTML report and run summary are written ({@value #REPORT_ENABLED}). */
    public boolean reportEnabled() {
        return Boolean.parseBoolean(get(REPORT_ENABLED));
    }

    /** Where the HTML report is written ({@value #REPORT_DIR}), relative to the working directory. */
    public Path reportDir() {
        return Path.of(get(REPORT_DIR));
    }

    private int parseInt(String key, int min, int max) {
        String value = get(key);
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'");
        }
    }

    /** What to keep after the tests. */
    public enum Keep {
        /** Tear everything down. */
        NEVER,
        /** Leave a failed class's environment running and print how to reach it. */
        ON_FAILURE,
        /** Leave every environment running. */
        ALWAYS
    }

    @Override
    public String toString() {
        return new TreeMap<>(values).toString();
    }
}
