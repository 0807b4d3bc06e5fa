package io.testbed.reports.internal;

import java.nio.file.Path;

/** A file attached to a test: published through JUnit, or kept in the prefix's {@code artifacts/} by the extension. */
public record PublishedFile(String name, Path path) {}
