package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.lease.LeaseStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * The catalogue of bad inputs ({@code bad-inputs.csv}: annotations, configuration keys and values, images and
 * templates, names, sizes, addresses, counts past the pool): each row's test class, run through the JUnit Platform
 * Launcher (as Maven runs it: launcher configuration parameters included) against the real providers with the row's configuration, fails as a class before any test starts, with one
 * message that names the class, annotation or key, the rule and the value — and nothing was provisioned: no prefix
 * directory (so no domain, container, network, disk or owner entry, which all carry the prefix's id) and no lease
 * in the host-wide store.
 */
class BadInputIT {

    private static final Path ROOTS = Path.of("target/bad-input").toAbsolutePath();

    @ParameterizedTest(name = "{0}")
    @CsvFileSource(resources = "bad-inputs.csv", delimiter = '|', quoteCharacter = '`')
    void isRejectedBeforeAnythingIsProvisioned(
            String misuse, String fixture, String configuration, String names, String rule, String value)
            throws Exception {
        Path root = ROOTS.resolve(misuse.replace(' ', '-'));
        deleteTree(root); // an earlier build's prefixes
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put(TestbedConfig.PREFIX_ROOT, root.toString());
        parameters.put(TestbedConfig.REPORT_ENABLED, "false");
        if (configuration != null) {
            int eq = configuration.indexOf('=');
            parameters.put(configuration.substring(0, eq), configuration.substring(eq + 1));
        }
        Class<?> fixtureClass = Class.forName(BadInputFixtures.class.getName() + "$" + fixture);

        LauncherRun run = LauncherRun.of(fixtureClass, parameters);

        List<Throwable> failures = run.classFailures();
        assertThat(failures).as("the class fails once").hasSize(1);
        assertThat(failures.get(0).getMessage())
                .as("the message names the class, annotation or key, the rule and the value")
                .contains(names, rule, value);
        assertThat(run.testsStarted()).as("tests started").isZero();
        assertThat(prefixDirectories(root)).as("prefix directories").isEmpty();
        assertThat(LeaseStore.fromConfiguration(Map.of()).list())
                .as("leases of the prefix root")
                .noneMatch(lease -> lease.prefixPath().startsWith(root.toString()));
    }

    private static List<Path> prefixDirectories(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var files = Files.walk(root)) {
            return files.filter(f -> !f.equals(root)).toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var files = Files.walk(root)) {
                for (Path file :
                        files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
