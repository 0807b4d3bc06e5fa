package io.testbed.reports.internal;

import io.testbed.core.internal.support.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes a report's folder: {@value HtmlReport#INDEX} and a page per test in {@value Pages#DIR}/. Every page is
 * self-contained (its own CSS, no script) and links to the others relatively, so the folder opens from
 * {@code file://}, moved or archived as a whole. The test pages go first and the index replaces the old one
 * atomically, so a reader never follows a link to a page not yet written; pages of an earlier report that the new
 * index no longer links to are removed last.
 */
public final class ReportFolder {

    private ReportFolder() {}

    /**
     * Writes the report of {@code run} to {@code dir}, creating it.
     *
     * @return the index page
     * @throws IOException when a page cannot be written
     */
    public static Path write(RunModel run, Path dir, Instant now) throws IOException {
        ConsoleTail.clear();
        Pages pages = Pages.of(run);
        Path pageDir = dir.resolve(Pages.DIR);
        Files.createDirectories(pageDir);
        Set<Path> written = new HashSet<>();
        for (TestModel test : withPages(run, pages)) {
            Path file = dir.resolve(pages.of(test));
            Files.writeString(file, TestPage.render(run, test, now), StandardCharsets.UTF_8);
            written.add(file);
        }
        Path index = dir.resolve(HtmlReport.INDEX);
        AtomicFiles.write(index, HtmlReport.render(run, pages, now).getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(pageDir)) {
            for (Path old : files.filter(f -> f.getFileName().toString().endsWith(".html"))
                    .filter(f -> !written.contains(f))
                    .toList()) {
                Files.deleteIfExists(old);
            }
        }
        return index;
    }

    /** The classes and tests of {@code run} that have a page, in report order. */
    static List<TestModel> withPages(RunModel run, Pages pages) {
        List<TestModel> tests = new ArrayList<>();
        for (ClassModel testClass : run.classes()) {
            if (pages.of(testClass.self()) != null) {
                tests.add(testClass.self());
            }
            testClass.tests().stream().filter(t -> pages.of(t) != null).forEach(tests::add);
        }
        return tests;
    }
}
