package io.testbed.junit.internal;

import io.testbed.junit.local.LocalRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.OutputDirectoryProvider;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs fixture classes through the Jupiter engine with Testbed pointed at a temporary directory: its own lease
 * store, prefix root and report output, and the {@code local} provider.
 */
final class Testkit {

    final Path root;
    final Path prefixes;
    final Path reports;
    private final Map<String, String> parameters = new LinkedHashMap<>();

    Testkit(Path root) {
        this.root = root;
        this.prefixes = root.resolve("prefixes");
        this.reports = root.resolve("reports");
        parameters.put("testbed.lease.dir", root.resolve("leases").toString());
        parameters.put("testbed.prefix.root", prefixes.toString());
        parameters.put("testbed.provider.default", "local");
        parameters.put("testbed.progress", "true");
        LocalRecorder.reset();
    }

    Testkit with(String key, String value) {
        parameters.put(key, value);
        return this;
    }

    EngineExecutionResults run(Class<?>... fixtures) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(parameters)
                .outputDirectoryProvider(new TempOutputDirectoryProvider(reports))
                .selectors(Stream.of(fixtures)
                        .map(DiscoverySelectors::selectClass)
                        .toArray(org.junit.platform.engine.DiscoverySelector[]::new))
                .execute();
    }

    /**
     * Runs fixtures through the JUnit Platform Launcher, as Maven and IDEs do, with the listeners the launcher
     * loads from {@code META-INF/services}.
     *
     * @return the exception of every failed container and test, by display name
     */
    Map<String, Throwable> runThroughLauncher(Class<?>... fixtures) {
        Map<String, Throwable> failures = new LinkedHashMap<>();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(
                        Stream.of(fixtures).map(DiscoverySelectors::selectClass).toList())
                .configurationParameters(parameters)
                .configurationParameter("junit.platform.reporting.output.dir", reports.toString())
                .build();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
                result.getThrowable().ifPresent(thrown -> failures.put(identifier.getDisplayName(), thrown));
            }
        });
        return failures;
    }

    /** The prefix directories created so far. */
    long prefixCount() {
        if (!Files.isDirectory(prefixes)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(prefixes)) {
            return list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path prefix(String directoryName) {
        return prefixes.resolve(directoryName);
    }

    /** One directory per test descriptor under {@code root}. */
    private record TempOutputDirectoryProvider(Path root) implements OutputDirectoryProvider {
        @Override
        public Path getRootDirectory() {
            return root;
        }

        @Override
        public Path createOutputDirectory(TestDescriptor descriptor) throws IOException {
            String name = descriptor.getUniqueId().toString().replaceAll("[^A-Za-z0-9._-]+", "_");
            return Files.createDirectories(root.resolve(name));
        }
    }
}
