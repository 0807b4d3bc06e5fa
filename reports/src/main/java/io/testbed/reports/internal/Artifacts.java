package io.testbed.reports.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files the JUnit extension keeps for a failed test in its prefix: {@code artifacts/<Class>-<method>-<hash>/}
 * (the directory name as {@code FailureArtifacts} in junit-extension makes it: the class's simple name, the
 * method, and the hex hash of the test's unique id, made safe as one path segment).
 */
final class Artifacts {

    private Artifacts() {}

    /** The files kept for the test, or none. */
    static List<PublishedFile> of(Path prefix, String className, String method, String uniqueId) {
        if (className == null || method == null) {
            return List.of();
        }
        String simple = className.substring(className.lastIndexOf('.') + 1);
        simple = simple.substring(simple.lastIndexOf('$') + 1);
        Path dir = prefix.resolve("artifacts")
                .resolve(safeName(simple + "-" + method + "-" + Integer.toHexString(uniqueId.hashCode())));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .sorted()
                    .map(f -> new PublishedFile(dir.relativize(f).toString(), f))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir + ": " + e, e);
        }
    }

    static String safeName(String text) {
        String name = text.replaceAll("^/+", "").replaceAll("[^A-Za-z0-9._-]+", "-");
        return name.isEmpty() ? "root" : name;
    }
}
