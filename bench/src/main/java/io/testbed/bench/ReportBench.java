package io.testbed.bench;

import io.testbed.images.FileTrees;
import io.testbed.reports.TestbedReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The HTML report of a large run ({@link SyntheticRun}: {@value SyntheticRun#ENVIRONMENTS} environments,
 * {@value SyntheticRun#COMMANDS} commands), written once for the whole group to {@code report-bench/prefixes}
 * beside the jar. Each round:
 *
 * <ul>
 *   <li>{@code report.write}: reading every journal and writing the report's folder (index and test pages), as the
 *       listener does at the end of a run;
 *   <li>{@code report.open}: a fresh headless Chromium ({@link FreshChromium}) from WebDriver's {@code get} of the
 *       index from {@code file://} to its load event, alternating with the anchor, the same for an empty page (what
 *       any page costs a fresh browser), the order swapped every round;
 *   <li>{@code report.open_failed_test}: in the same browser, the one click from the index's list of failures to the
 *       failed test's page, until it shows the failing command and the console tail next to it.
 * </ul>
 *
 * The last round's report stays in {@code report-bench/report} for a look.
 */
final class ReportBench {

    static final List<String> METRICS = List.of("report.write", "report.open", "report.open_failed_test");

    /** The target: the report opens in under 2 s. */
    static final double OPEN_TARGET_MS = 2000;

    static final String BLANK_ANCHOR = "a fresh headless Chromium of the same configuration opening an empty page"
            + " (<!DOCTYPE html><title>) from file://, alternating with the report";

    /** What the failed test's page must show once the click has loaded it. */
    static final String FAILING_COMMAND_AND_CONSOLE =
            "tr.command.failing + tr.consoles div.console[data-machine='web']";

    private ReportBench() {}

    static List<Metric> run(Bed bed) {
        Path work = bed.home.resolve("report-bench");
        FileTrees.deleteQuietly(work);
        Path prefixes = work.resolve("prefixes");
        long generateStart = System.nanoTime();
        SyntheticRun.write(prefixes);
        double generateMs = (System.nanoTime() - generateStart) / 1e6;
        Path blank = write(work.resolve("blank.html"), "<!DOCTYPE html><title>blank</title>");
        String noBrowser = FreshChromium.missing();
        bed.log(
                "report: %d environments, %d commands journaled in %.0f ms (%.1f MB)%s",
                SyntheticRun.ENVIRONMENTS,
                SyntheticRun.COMMANDS,
                generateMs,
                size(prefixes) / 1e6,
                noBrowser == null ? "" : "; " + noBrowser);
        Samples write = new Samples();
        Samples read = new Samples();
        Samples render = new Samples();
        Samples open = new Samples();
        Samples openBlank = new Samples();
        Samples loadEvent = new Samples();
        Samples domReady = new Samples();
        Samples browserStart = new Samples();
        Samples click = new Samples();
        Path out = work.resolve("report");
        Folder folder = null;
        for (int round = -1; round < bed.options.runs(); round++) {
            FileTrees.deleteQuietly(out);
            bed.quiet.await();
            long t0 = System.nanoTime();
            TestbedReport report = TestbedReport.fromPrefixes(prefixes);
            long t1 = System.nanoTime();
            Path index = report.writeHtml(out);
            long t2 = System.nanoTime();
            folder = Folder.check(report, index);
            FreshChromium.Opened page = null;
            FreshChromium.Opened empty = null;
            if (noBrowser == null) {
                if (Math.floorMod(round, 2) == 0) {
                    page = FreshChromium.open(index, "#failures a", FAILING_COMMAND_AND_CONSOLE);
                    empty = FreshChromium.open(blank, null, null);
                } else {
                    empty = FreshChromium.open(blank, null, null);
                    page = FreshChromium.open(index, "#failures a", FAILING_COMMAND_AND_CONSOLE);
                }
            }
            bed.log(
                    "report: read %.0f ms, written %.0f ms%s%s",
                    (t1 - t0) / 1e6,
                    (t2 - t1) / 1e6,
                    page == null
                            ? ""
                            : String.format(
                                    java.util.Locale.ROOT,
                                    "; opened in %.0f ms (load event %.0f ms; an empty page %.0f ms), failed test"
                                            + " one click away in %.0f ms",
                                    page.getMs(),
                                    page.loadEventMs(),
                                    empty.getMs(),
                                    page.clickMs()),
                    round < 0 ? " (warm-up)" : "");
            if (round < 0) {
                continue;
            }
            read.add((t1 - t0) / 1e6);
            render.add((t2 - t1) / 1e6);
            write.add((t2 - t0) / 1e6);
            if (page != null) {
                open.add(page.getMs());
                openBlank.add(empty.getMs());
                loadEvent.add(page.loadEventMs());
                domReady.add(page.domReadyMs());
                browserStart.add(page.startMs());
                click.add(page.clickMs());
            }
        }
        String size = String.format(
                java.util.Locale.ROOT,
                "an index of %.0f kB and %d test pages (%.1f MB in all)",
                folder.indexBytes() / 1e3,
                folder.pages(),
                folder.bytes() / 1e6);
        Metric written = Metric.named("report.write", "ms")
                .samples(write)
                .note("TestbedReport.fromPrefixes + writeHtml of " + SyntheticRun.ENVIRONMENTS + " environments with "
                        + SyntheticRun.COMMANDS + " commands (" + SyntheticRun.TESTS + " tests of "
                        + SyntheticRun.COMMANDS_PER_TEST + " commands each per environment, outputs of one line to a"
                        + " screenful, one failed test): " + size + "; one warm-up round")
                .part("read_ms", read)
                .part("write_ms", render)
                .part("journals_generated_ms", generateMs)
                .part("journals_MB", size(prefixes) / 1e6)
                .part("index_kB", folder.indexBytes() / 1e3)
                .part("test_pages", folder.pages())
                .build();
        if (noBrowser != null) {
            return List.of(
                    written,
                    Metric.skipped("report.open", "ms", BLANK_ANCHOR, noBrowser),
                    Metric.skipped("report.open_failed_test", "ms", null, noBrowser));
        }
        Metric opened = Metric.named("report.open", "ms")
                .samples(open)
                .anchor(BLANK_ANCHOR, openBlank)
                .target(Target.valueAtMost(OPEN_TARGET_MS))
                .note("a fresh headless Chromium (" + FreshChromium.BINARY + " through chromedriver, new profile)"
                        + " per round: WebDriver get of the report's index.html from file:// until its load event; "
                        + size)
                .part("load_event_ms", loadEvent)
                .part("dom_content_loaded_ms", domReady)
                .part("browser_start_ms", browserStart)
                .build();
        Metric clicked = Metric.named("report.open_failed_test", "ms")
                .samples(click)
                .target(Target.valueAtMost(OPEN_TARGET_MS))
                .note("in the same browser after the index: the click on the first link of the index's failures"
                        + " until the failed test's page shows its failing command with the console tail next to it")
                .build();
        return List.of(written, opened, clicked);
    }

    /**
     * What a report's folder holds, checked to be the whole run: the index names the last environment, and the
     * failed test's page is linked from the failures.
     */
    record Folder(long indexBytes, int pages, long bytes) {

        static Folder check(TestbedReport report, Path index) {
            try {
                String html = Files.readString(index, StandardCharsets.UTF_8);
                String last = String.format(java.util.Locale.ROOT, "env%02d", SyntheticRun.ENVIRONMENTS - 1);
                if (report.environments() != SyntheticRun.ENVIRONMENTS
                        || !report.failed()
                        || !html.contains("data-environment=\"" + last + "\"")
                        || !html.contains("#failing\">")) {
                    throw new BenchException("The report of the synthetic run is not whole: " + report.environments()
                            + " environments, failed " + report.failed() + ", " + index);
                }
                Path pages = index.resolveSibling("tests");
                int count;
                try (Stream<Path> files = Files.list(pages)) {
                    count = (int) files.count();
                }
                return new Folder(Files.size(index), count, size(index.getParent()));
            } catch (IOException e) {
                throw new BenchException("Cannot read the report " + index + ": " + e, e);
            }
        }
    }

    private static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BenchException("Cannot write " + file + ": " + e, e);
        }
    }

    private static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        } catch (IOException e) {
            throw new BenchException("Cannot measure " + dir + ": " + e, e);
        }
    }
}
