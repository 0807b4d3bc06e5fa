package io.testbed.bench;

import io.testbed.core.internal.support.FileModes;
import io.testbed.images.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium started afresh for one page, as a user opens a report: the distribution's {@code chromium}
 * through its {@code chromium-driver} (Selenium), a new empty profile in a temporary directory, no extensions, no
 * background networking; {@code --no-sandbox} as root (Chromium refuses its sandbox then). Nothing is cached
 * between two pages: each {@link #open} starts and quits its own browser.
 */
final class FreshChromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    /** Selenium logs through java.util.logging: its CDP-version warnings would fill the bench's output. */
    private static final Logger SELENIUM = Logger.getLogger("org.openqa.selenium");

    private FreshChromium() {}

    /** Why no browser can be started here, or null when one can. */
    static String missing() {
        if (!Files.isExecutable(BINARY) || !Files.isExecutable(DRIVER)) {
            return "needs the distribution's chromium and chromium-driver packages (" + BINARY + ", " + DRIVER
                    + "): run scripts/setup-host.sh";
        }
        return null;
    }

    /**
     * What opening a page took.
     *
     * @param startMs      from starting the driver until the browser was ready for a page
     * @param getMs        WebDriver's {@code get}: from asking for the page until its load event had fired
     * @param loadEventMs  the page's own Navigation Timing: navigation start to the end of its load event
     * @param domReadyMs   navigation start to the end of DOMContentLoaded
     * @param clickMs      after the page: from clicking {@code clickSelector} until the linked page's load event
     *                     (the browser waits for the navigation a click starts); null when nothing was clicked
     * @param clickedTitle the title of the page the click led to, or null
     */
    record Opened(
            double startMs, double getMs, double loadEventMs, double domReadyMs, Double clickMs, String clickedTitle) {}

    /**
     * Starts a fresh browser, opens {@code page} from {@code file://}, then, when {@code clickSelector} is not null,
     * clicks the first element it selects and waits until {@code expectOnClickedPage} is on the new page; quits.
     *
     * @throws BenchException when the browser cannot start, or the clicked page lacks what it must show
     */
    static Opened open(Path page, String clickSelector, String expectOnClickedPage) {
        SELENIUM.setLevel(Level.SEVERE);
        Path profile = profile();
        WebDriver browser = null;
        try {
            long t0 = System.nanoTime();
            browser = start(profile);
            long t1 = System.nanoTime();
            browser.get(page.toUri().toString());
            long t2 = System.nanoTime();
            Map<String, Double> timing = navigationTiming(browser);
            Double clickMs = null;
            String clickedTitle = null;
            if (clickSelector != null) {
                long t3 = System.nanoTime();
                browser.findElement(By.cssSelector(clickSelector)).click();
                // the click returns once the navigation it started has loaded; the element proves the new page
                browser.findElement(By.cssSelector(expectOnClickedPage));
                clickMs = (System.nanoTime() - t3) / 1e6;
                clickedTitle = browser.getTitle();
            }
            return new Opened(
                    (t1 - t0) / 1e6,
                    (t2 - t1) / 1e6,
                    timing.getOrDefault("loadEventEnd", -1.0),
                    timing.getOrDefault("domContentLoadedEventEnd", -1.0),
                    clickMs,
                    clickedTitle);
        } catch (RuntimeException e) {
            throw new BenchException("Chromium could not open " + page + ": " + e.getMessage(), e);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            FileTrees.deleteQuietly(profile);
        }
    }

    private static WebDriver start(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        List<String> arguments = new ArrayList<>(List.of(
                "--headless=new",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-extensions",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,1000",
                "--user-data-dir=" + profile));
        if (ProcessHandle.current().info().user().filter("root"::equals).isPresent()) {
            arguments.add("--no-sandbox");
        }
        options.addArguments(arguments);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .withSilent(true)
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }

    /** The current page's Navigation Timing entry, in ms from its navigation start. */
    @SuppressWarnings("unchecked")
    private static Map<String, Double> navigationTiming(WebDriver browser) {
        Object entry = ((JavascriptExecutor) browser)
                .executeScript("const n = performance.getEntriesByType('navigation')[0];"
                        + " return n ? {loadEventEnd: n.loadEventEnd,"
                        + " domContentLoadedEventEnd: n.domContentLoadedEventEnd} : {};");
        Map<String, Double> timing = new java.util.HashMap<>();
        if (entry instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).forEach((name, value) -> {
                if (value instanceof Number number) {
                    timing.put(name, number.doubleValue());
                }
            });
        }
        return timing;
    }

    private static Path profile() {
        try {
            return Files.createTempDirectory(
                    Leaks.TEMP_PREFIX + "chromium-",
                    PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY_DIRECTORY));
        } catch (IOException e) {
            throw new BenchException("Cannot create a browser profile directory: " + e, e);
        }
    }
}
