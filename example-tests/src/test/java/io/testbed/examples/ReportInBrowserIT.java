package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.testbed.core.Machine;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.MediaType;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The HTML report of a real run, in a real browser: runs {@link VmAndContainerIT} and a class with a test that
 * fails on purpose ({@link FailsOnPurpose}) through the JUnit Platform launcher, which finds the report listener on
 * the class path and writes the report; then opens it from {@code file://} in headless Chromium (the distribution's
 * {@code chromium} and {@code chromium-driver}, installed by {@code scripts/setup-host.sh}).
 *
 * <p>Shows: the index loads without console errors; the topology shows every machine with its address; the
 * timeline has a lane per machine; the failing test is listed first and every test links to its page; one click on
 * the failure leads to the test's page, which shows the failing command with its output (markup in it shown as
 * text, never made an element) and the VM's console tail next to it. Screenshots of the index and of the failed
 * test's page are published as files of this test.
 *
 * <p>The same run writes JUnit's Open Test Reporting XML ({@link OpenTestReport}), in which the second test finds
 * Testbed's files and entries on the right test and container.
 */
class ReportInBrowserIT {

    /** Run only by the test below (not a Failsafe class: the name does not end in IT). */
    @Network(name = "lan")
    @VM(name = "vm", memoryMb = 128, networks = "lan")
    static class FailsOnPurpose {
        @Test
        void aPassingTest(@Host("vm") Machine vm) {
            assertThat(vm.run("echo hello")).succeeded().hasStdout("hello");
        }

        @Test
        void aFailingTest(@Host("vm") Machine vm) {
            vm.run("uname -n");
            // markup in the output must reach the page as text
            assertThat(vm.run("echo answer=$((6*7)) '<img src=x onerror=alert(1)>'; ls /no/such/file"))
                    .succeeded();
        }
    }

    private static final Path work = Path.of("target", "report-in-browser").toAbsolutePath();
    private WebDriver browser;

    /** One real run for both tests (its VMs boot once), with Open Test Reporting switched on as a user would. */
    @BeforeAll
    static void runTheClasses() throws Exception {
        deleteRecursively(work);
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(VmAndContainerIT.class), selectClass(FailsOnPurpose.class))
                                // prefixes of their own: the report of the module's own run must not show this
                                // deliberate failure
                                .configurationParameter(
                                        TestbedConfig.PREFIX_ROOT,
                                        work.resolve("testbed").toString())
                                .configurationParameter(
                                        TestbedConfig.REPORT_DIR,
                                        work.resolve("report").toString())
                                .configurationParameter(OpenTestReport.ENABLED, "true")
                                .configurationParameter(
                                        OpenTestReport.OUTPUT_DIR,
                                        work.resolve("junit").toString())
                                .build(),
                        summary);
        assertThat(summary.getSummary().getTestsFailedCount())
                .as("tests failed in the run (exactly the one on purpose)")
                .isEqualTo(1);
        assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(4);
    }

    @AfterEach
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theReportOfARealRunShowsTopologyFailureConsoleAndTimeline(TestReporter reporter) throws Exception {
        browser = chromium(work.resolve("chromium-profile"));
        Path page = work.resolve("report").resolve("index.html");
        long start = System.nanoTime();
        browser.get(page.toUri().toString());
        long loaded = (System.nanoTime() - start) / 1_000_000;
        System.out.println("[report in browser] " + page + " loaded in " + loaded + " ms");

        assertThat(severe(browser)).as("console errors").isEmpty();
        assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("FAILED");

        Map<String, Map<String, Map<String, String>>> planned = plannedAddresses(work.resolve("testbed"));
        assertThat(planned).containsOnlyKeys("fails-on-purpose", "vm-and-container-it");
        List<WebElement> environments = browser.findElements(By.cssSelector("section.environment"));
        assertThat(environments).hasSize(2);
        for (WebElement environment : environments) {
            Map<String, Map<String, String>> addresses = planned.get(environment.getDomAttribute("data-environment"));
            List<WebElement> machines = environment.findElements(By.cssSelector("svg.topology g.machine"));
            assertThat(machines)
                    .extracting(m -> m.getDomAttribute("data-machine"))
                    .containsExactlyInAnyOrderElementsOf(addresses.keySet());
            for (WebElement machine : machines) {
                String name = machine.getDomAttribute("data-machine");
                List<String> shown = machine.findElements(By.cssSelector("text.address")).stream()
                        .map(WebElement::getText)
                        .toList();
                assertThat(shown)
                        .as("addresses of " + name)
                        .containsAll(addresses.get(name).values());
                assertThat(environment.findElements(By.cssSelector("svg.timeline g.lane[data-lane='" + name + "']")))
                        .as("timeline lane of " + name)
                        .hasSize(1);
            }
        }
        assertThat(browser.findElements(By.cssSelector("g.machine.container[data-machine='box']")))
                .hasSize(1);
        assertThat(browser.findElements(By.cssSelector("g.machine.vm[data-machine='vm']")))
                .hasSize(2);

        WebElement first = browser.findElement(By.cssSelector("#tests li.test"));
        assertThat(first.getDomAttribute("data-status")).isEqualTo("failed");
        assertThat(first.getText()).contains("aFailingTest");
        assertThat(browser.findElements(By.cssSelector("#tests li.test:not([id$='-self']) a.test-link")))
                .as("a link to each test's page")
                .hasSize(5);
        screenshot(reporter, "report-index.png");

        // one click from the index's failures to the failing command, its output and the console tail next to it
        WebElement failure = browser.findElement(By.cssSelector("#failures a"));
        assertThat(failure.getText()).contains("aFailingTest");
        failure.click();
        assertThat(browser.getCurrentUrl()).contains("/tests/").endsWith("#failing");
        assertThat(browser.findElement(By.id("test")).getDomAttribute("data-status"))
                .isEqualTo("failed");
        WebElement failing = browser.findElement(By.cssSelector("tr.command.failing"));
        assertThat(failing.getText())
                .as("the failing command with its output, shown without another click")
                .contains("ls /no/such/file")
                .contains("answer=42 <img src=x onerror=alert(1)>")
                .contains("No such file")
                .contains("exit 1");
        assertThat(browser.findElements(By.cssSelector("img, script")))
                .as("elements made of command output")
                .isEmpty();
        WebElement console =
                browser.findElement(By.cssSelector("tr.command.failing + tr.consoles div.console[data-machine='vm']"));
        assertThat(console.isDisplayed()).isTrue();
        assertThat(console.findElement(By.cssSelector("pre.console-tail")).getText())
                .isNotBlank();
        assertThat(severe(browser)).as("console errors on the test's page").isEmpty();
        screenshot(reporter, "report-screenshot.png");

        browser.findElement(By.id("back")).click();
        assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("FAILED");
    }

    /**
     * The README's "In the standard formats", in JUnit's own XML: the failed test's element carries the files the
     * extension published (its {@code commands.log} with the failing command, the VM's console log) and the prefix
     * path, the class's container the report entry {@code testbed.prefix} and no files (nothing failed outside its
     * tests), a passing test neither files nor entries.
     */
    @Test
    void openTestReportingHasTheFilesOnTheFailedTestAndThePrefixOnTheClass() throws Exception {
        OpenTestReport report = OpenTestReport.read(work.resolve("junit").resolve("open-test-report.xml"));
        OpenTestReport.Node container = report.node("[class:" + FailsOnPurpose.class.getName() + "]");
        Path prefix = Path.of(container.entries().get("testbed.prefix"));
        assertThat(prefix).as("the class's prefix").isDirectory().startsWith(work.resolve("testbed"));
        assertThat(container.files())
                .as("files on the class: nothing failed outside its tests")
                .isEmpty();

        OpenTestReport.Node failing = report.node("[method:aFailingTest(io.testbed.core.Machine)]");
        assertThat(failing.status()).isEqualTo("FAILED");
        assertThat(failing.files().keySet()).contains("commands.log").containsAll(consoleLogs(prefix));
        assertThat(Files.readString(failing.files().get("commands.log")))
                .contains("uname -n")
                .contains("ls /no/such/file")
                .contains("No such file");
        assertThat(failing.entries()).containsEntry("testbed.prefix", prefix.toString());

        OpenTestReport.Node passing = report.node("[method:aPassingTest(io.testbed.core.Machine)]");
        assertThat(passing.status()).isEqualTo("SUCCESSFUL");
        assertThat(passing.files()).as("files on a passing test").isEmpty();
        assertThat(passing.entries()).as("entries on a passing test").isEmpty();
    }

    /** The console logs the environment kept ({@code logs/*.log} but the command log). */
    private static List<String> consoleLogs(Path prefix) throws Exception {
        try (Stream<Path> logs = Files.list(prefix.resolve("logs"))) {
            List<String> names = logs.map(log -> log.getFileName().toString())
                    .filter(name -> name.endsWith(".log") && !name.equals("commands.log"))
                    .toList();
            assertThat(names).as("console logs in " + prefix).isNotEmpty();
            return names;
        }
    }

    private void screenshot(TestReporter reporter, String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        reporter.publishFile(name, MediaType.create("image", "png"), path -> Files.write(path, png));
        Files.write(work.resolve(name), png);
    }

    private static List<LogEntry> severe(WebDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .toList();
    }

    /** Environment → machine → network → address, from the journals' plans. */
    private static Map<String, Map<String, Map<String, String>>> plannedAddresses(Path prefixes) throws Exception {
        Map<String, Map<String, Map<String, String>>> addresses = new java.util.HashMap<>();
        try (Stream<Path> dirs = Files.list(prefixes)) {
            for (Path dir : dirs.toList()) {
                JournalReader.read(dir.resolve("journal.jsonl"))
                        .of(EnvironmentEvent.Planned.class)
                        .forEach(plan -> plan.machines()
                                .forEach(m -> addresses
                                        .computeIfAbsent(plan.environment(), e -> new java.util.HashMap<>())
                                        .put(m.name(), m.addresses())));
            }
        }
        return addresses;
    }

    private static WebDriver chromium(Path profile) {
        File binary = new File("/usr/bin/chromium");
        File driver = new File("/usr/bin/chromedriver");
        if (!binary.canExecute() || !driver.canExecute()) {
            throw new IllegalStateException("this test needs the distribution's chromium and chromium-driver "
                    + "packages (/usr/bin/chromium, /usr/bin/chromedriver): run scripts/setup-host.sh");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        List<String> arguments = new ArrayList<>(List.of(
                "--headless=new",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,1600",
                "--user-data-dir=" + profile));
        if (ProcessHandle.current().info().user().filter("root"::equals).isPresent()) {
            arguments.add("--no-sandbox"); // Chromium refuses to run as root with its sandbox
        }
        options.addArguments(arguments);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver)
                .withTimeout(Duration.ofSeconds(60))
                .build();
        return new ChromeDriver(service, options);
    }

    private static void deleteRecursively(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
