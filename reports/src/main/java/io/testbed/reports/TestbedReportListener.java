package io.testbed.reports;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.ProvisioningException;
import io.testbed.core.prefix.Prefix;
import io.testbed.reports.internal.JUnitOutcome;
import io.testbed.reports.internal.PublishedFile;
import io.testbed.reports.internal.Status;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apiguardian.api.API;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.reporting.FileEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Writes the HTML report ({@value TestbedConfig#REPORT_DIR}/{@value TestbedReport#INDEX}, default
 * {@code target/testbed-report/index.html}) and prints the run summary when a test plan ends. Registered through
 * {@code META-INF/services}: having the reports module on the test class path is enough.
 *
 * <p>The report shows the environments this JVM provisioned during the plan (the prefixes under
 * {@value TestbedConfig#PREFIX_ROOT} whose {@code prefix.json} names this process and a creation time after the
 * plan began), with JUnit's own results of every test and class; a plan that used no environment gets no report.
 * Configuration parameters: {@value TestbedConfig#REPORT_ENABLED} ({@code false} switches it off) and
 * {@value TestbedConfig#REPORT_DIR}. A problem writing the report is printed, never fails the run.
 */
@API(status = API.Status.EXPERIMENTAL)
public final class TestbedReportListener implements TestExecutionListener {

    private final PrintStream out;
    private final Map<String, Instant> starts = new ConcurrentHashMap<>();
    private final Map<String, JUnitOutcome> outcomes = new LinkedHashMap<>();
    private final Map<String, List<PublishedFile>> files = new ConcurrentHashMap<>();
    private volatile TestPlan plan;
    private volatile Instant planStart;

    /** Instantiated by the JUnit Platform launcher; prints to standard output. */
    public TestbedReportListener() {
        this(System.out);
    }

    TestbedReportListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        planStart = Instant.now();
    }

    @Override
    public void executionStarted(TestIdentifier identifier) {
        starts.put(identifier.getUniqueId(), Instant.now());
    }

    @Override
    public void executionSkipped(TestIdentifier identifier, String reason) {
        record(identifier, Status.SKIPPED, reason, null);
    }

    @Override
    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
        Status status = switch (result.getStatus()) {
            case SUCCESSFUL -> Status.PASSED;
            case ABORTED -> Status.ABORTED;
            case FAILED -> Status.FAILED;
        };
        Throwable throwable = result.getThrowable().orElse(null);
        record(identifier, status, throwable == null ? null : message(throwable), throwable);
    }

    @Override
    public void fileEntryPublished(TestIdentifier identifier, FileEntry file) {
        files.computeIfAbsent(identifier.getUniqueId(), id -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(new PublishedFile(file.getPath().getFileName().toString(), file.getPath()));
    }

    private void record(TestIdentifier identifier, Status status, String failure, Throwable throwable) {
        Optional<TestSource> source = identifier.getSource();
        String className = source.filter(ClassSource.class::isInstance)
                .map(s -> ((ClassSource) s).getClassName())
                .or(() -> source.filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getClassName()))
                .orElse(null);
        if (className == null) {
            return; // engines and other containers without a class
        }
        String method = source.filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse(null);
        Instant start = starts.remove(identifier.getUniqueId());
        Duration duration = start == null ? Duration.ZERO : Duration.between(start, Instant.now());
        JUnitOutcome outcome = new JUnitOutcome(
                identifier.getUniqueId(),
                className,
                method,
                identifier.getDisplayName(),
                identifier.isContainer() && method == null,
                status,
                duration,
                failure,
                start,
                prefixOf(throwable),
                files.getOrDefault(identifier.getUniqueId(), List.of()));
        synchronized (outcomes) {
            outcomes.put(identifier.getUniqueId(), outcome);
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        try {
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : TestbedConfig.knownKeys().keySet()) {
                testPlan.getConfigurationParameters().get(key).ifPresent(value -> values.put(key, value));
            }
            TestbedConfig config = TestbedConfig.of(values);
            if (!config.reportEnabled()) {
                return;
            }
            List<Path> prefixes = TestbedReport.prefixesIn(config.prefixRoot()).stream()
                    .filter(this::ofThisRun)
                    .toList();
            if (prefixes.isEmpty()) {
                return;
            }
            List<JUnitOutcome> list;
            synchronized (outcomes) {
                list = List.copyOf(outcomes.values());
            }
            TestbedReport report = TestbedReport.of(prefixes, list);
            Path page = report.writeHtml(config.reportDir()).toAbsolutePath();
            report.summary().forEach(out::println);
            out.println("[testbed] report: " + page.toUri());
        } catch (RuntimeException e) {
            out.println("[testbed] report: not written: " + e.getMessage());
        }
    }

    /** Whether this process created the prefix after the plan began. */
    private boolean ofThisRun(Path dir) {
        try {
            var metadata = Prefix.open(dir).metadata();
            return metadata.pid() == ProcessHandle.current().pid()
                    && planStart != null
                    && !metadata.created().isBefore(planStart);
        } catch (RuntimeException e) {
            return false; // no readable prefix.json: not one of ours
        }
    }

    private static Path prefixOf(Throwable throwable) {
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            if (t instanceof ProvisioningException p && p.prefixDir() != null) {
                return p.prefixDir();
            }
        }
        return null;
    }

    private static String message(Throwable throwable) {
        return throwable.getMessage() == null
                ? throwable.getClass().getName()
                : throwable.getClass().getSimpleName() + ": " + throwable.getMessage();
    }
}
