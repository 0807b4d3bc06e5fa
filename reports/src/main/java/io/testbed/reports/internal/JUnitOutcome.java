package io.testbed.reports.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What JUnit itself said about a test or a test class, as a launcher listener saw it: authoritative for the result,
 * and the only source for tests that used no environment and for classes whose environment failed to provision.
 *
 * @param prefix the prefix directory named by a provisioning failure among its causes, or null
 * @param files  the files published for it
 */
public record JUnitOutcome(
        String uniqueId,
        String className,
        String method,
        String displayName,
        boolean container,
        Status status,
        Duration duration,
        String failure,
        Instant start,
        Path prefix,
        List<PublishedFile> files) {

    public JUnitOutcome {
        files = List.copyOf(files);
    }
}
