package io.testbed.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.IPAddressString;
import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.TestEvent;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import io.testbed.reports.TestbedReport;
import io.testbed.reports.internal.EnvironmentModel;
import io.testbed.reports.internal.EnvironmentReader;
import io.testbed.reports.internal.Status;
import io.testbed.reports.internal.TestModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Four real test classes run at once by JUnit's parallel class execution, as a user's build with
 * {@code junit.jupiter.execution.parallel.mode.classes.default=concurrent} runs them: one with a libvirt VM, two with
 * a Docker container, one with a VM and a container on one network (so libvirt serves two environments at once and
 * Docker three), each environment on its own leased network. The first test of each class waits at a rendezvous for
 * the others, so all four environments are proven live at the same time (run one after another, the rendezvous
 * never completes and the tests fail). Then: every test passes (each class's second test finds its machines
 * reverted), the four leases are distinct and do not overlap, each prefix's journal holds only its own class, tests,
 * machines and environment name, the progress output is whole lines each naming its environment, the run's report
 * shows each class in its own environment, and nothing is left on the host ({@link Census}).
 */
class ParallelClassesIT {

    /** This JVM's prefix root: the report and the census must see this run's prefixes only. */
    private static final Path ROOT = Path.of(
                    "target/parallel-classes/run-" + ProcessHandle.current().pid())
            .toAbsolutePath();

    private static final Path REPORT = Path.of("target/parallel-classes-report").toAbsolutePath();
    private static final List<Class<?>> CLASSES =
            List.of(VmClass.class, FirstContainerClass.class, SecondContainerClass.class, VmAndContainerClass.class);
    /** The machines each class declares: a class's journal must name no other class's. */
    private static final Map<Class<?>, List<String>> MACHINES = Map.of(
            VmClass.class, List.of("vmweb"),
            FirstContainerClass.class, List.of("boxone"),
            SecondContainerClass.class, List.of("boxtwo"),
            VmAndContainerClass.class, List.of("vmtwo", "boxthree"));
    /** A deadlock bound for the rendezvous, not a measurement: a cold VM under TCG on a busy host is slow. */
    private static final long RENDEZVOUS_MINUTES = 15;

    private static final CountDownLatch ALL_LIVE = new CountDownLatch(CLASSES.size());
    /** What each class saw at the rendezvous, by class. */
    private static final Map<Class<?>, Seen> SEEN = new ConcurrentHashMap<>();

    /** What a class saw of itself and of the lease store while all the environments were live. */
    record Seen(String environment, Path prefix, String cidr, String thread, List<Lease> leasesUnderRoot) {}

    /** The two tests every class runs: meet the others with a changed machine, then find it reverted. */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class MeetsTheOthers {
        @Test
        @Order(1)
        void meetsTheOtherClasses(Environment environment, TestNetwork lan) throws InterruptedException {
            rendezvous(getClass(), environment, lan);
        }

        @Test
        @Order(2)
        void findsItsMachinesReverted(Environment environment) {
            assertReverted(getClass(), environment);
        }
    }

    @Network(name = "lan")
    @VM(name = "vmweb", memoryMb = 128, networks = "lan")
    static class VmClass extends MeetsTheOthers {}

    @Network(name = "lan")
    @DockerHost(name = "boxone", networks = "lan")
    static class FirstContainerClass extends MeetsTheOthers {}

    @Network(name = "lan")
    @DockerHost(name = "boxtwo", networks = "lan")
    static class SecondContainerClass extends MeetsTheOthers {}

    @Network(name = "lan")
    @VM(name = "vmtwo", memoryMb = 128, networks = "lan")
    @DockerHost(name = "boxthree", networks = "lan")
    static class VmAndContainerClass extends MeetsTheOthers {}

    /**
     * Checks the class got its own machines (by their host names) and marks them, then waits until every class has
     * reached this point with its environment live.
     */
    private static void rendezvous(Class<?> testClass, Environment environment, TestNetwork lan)
            throws InterruptedException {
        assertThat(environment.machines().stream().map(Machine::name))
                .containsExactlyInAnyOrderElementsOf(MACHINES.get(testClass));
        for (Machine machine : environment.machines()) {
            machine.runOk("hostname | grep -qx " + machine.name() + " && echo changed > /root/marker");
        }
        ALL_LIVE.countDown();
        assertThat(ALL_LIVE.await(RENDEZVOUS_MINUTES, TimeUnit.MINUTES))
                .as("all %s classes had their environment live at the same time", CLASSES.size())
                .isTrue();
        List<Lease> leases = LeaseStore.fromConfiguration(Map.of()).list().stream()
                .filter(lease -> lease.prefixPath().startsWith(ROOT.toString()))
                .toList();
        SEEN.put(
                testClass,
                new Seen(
                        environment.name(),
                        environment.prefixDir(),
                        lan.cidr(),
                        Thread.currentThread().getName(),
                        leases));
    }

    private static void assertReverted(Class<?> testClass, Environment environment) {
        assertThat(SEEN)
                .as("the rendezvous test of %s ran first", testClass.getSimpleName())
                .containsKey(testClass);
        for (Machine machine : environment.machines()) {
            machine.runOk("test ! -e /root/marker");
        }
    }

    @Test
    void fourClassesWithVmsAndContainersRunAtOnceEachWithItsOwnLeaseJournalReportAndOutputAndLeaveNothing()
            throws IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put(TestbedConfig.PREFIX_ROOT, ROOT.toString());
        parameters.put(TestbedConfig.REPORT_DIR, REPORT.toString());
        parameters.put("junit.jupiter.execution.parallel.enabled", "true");
        parameters.put("junit.jupiter.execution.parallel.mode.default", "same_thread");
        parameters.put("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
        parameters.put("junit.jupiter.execution.parallel.config.strategy", "fixed");
        parameters.put("junit.jupiter.execution.parallel.config.fixed.parallelism", String.valueOf(CLASSES.size()));

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        LauncherRun results;
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            results = LauncherRun.of(CLASSES, parameters);
        } finally {
            System.setOut(original);
        }

        assertThat(results.classFailures()).as("class failures").isEmpty();
        assertThat(results.testFailures()).as("test failures").isEmpty();
        assertThat(results.testsStarted()).isEqualTo(2 * CLASSES.size());
        assertThat(SEEN).containsOnlyKeys(CLASSES);
        assertThat(SEEN.values().stream().map(Seen::thread).distinct())
                .as("each class ran on its own thread")
                .hasSize(CLASSES.size());
        assertTheLeasesWereDistinctAndDidNotOverlap();
        for (Class<?> testClass : CLASSES) {
            assertTheJournalIsItsOwn(testClass);
        }
        assertEveryProgressLineIsWholeAndNamesItsEnvironment(captured.toString(StandardCharsets.UTF_8));
        assertTheReportShowsEachClassInItsOwnEnvironment();

        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, ROOT.toString()));
        Set<String> machines = new java.util.HashSet<>();
        MACHINES.values().forEach(machines::addAll);
        Map<String, Integer> counts = new Census(ROOT, config, List.of()).count(machines);
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum())
                .as("left on the host: %s", counts)
                .isZero();
    }

    /** Each class saw the live leases of all the classes, and their networks are on disjoint subnets. */
    private static void assertTheLeasesWereDistinctAndDidNotOverlap() {
        List<String> cidrs = SEEN.values().stream().map(Seen::cidr).toList();
        assertThat(cidrs).as("the classes' networks").doesNotHaveDuplicates();
        for (int i = 0; i < cidrs.size(); i++) {
            for (int j = i + 1; j < cidrs.size(); j++) {
                assertThat(new IPAddressString(cidrs.get(i))
                                .getAddress()
                                .overlaps(new IPAddressString(cidrs.get(j)).getAddress()))
                        .as("%s overlaps %s", cidrs.get(i), cidrs.get(j))
                        .isFalse();
            }
        }
        for (Seen seen : SEEN.values()) {
            assertThat(seen.leasesUnderRoot().stream().map(Lease::subnet))
                    .as("the leases %s saw while all were live", seen.environment())
                    .containsExactlyInAnyOrderElementsOf(cidrs);
        }
    }

    /** The class's prefix journal: its own environment name, test class and machine only, and complete. */
    private static void assertTheJournalIsItsOwn(Class<?> testClass) {
        Seen seen = SEEN.get(testClass);
        JournalReader.Contents journal = JournalReader.read(
                io.testbed.core.prefix.Prefix.open(seen.prefix()).journalFile());
        assertThat(journal.complete())
                .as("%s's journal ended", testClass.getSimpleName())
                .isTrue();
        assertThat(journal.events().stream().map(Event::environment).distinct())
                .as("environments in %s's journal", testClass.getSimpleName())
                .containsExactly(seen.environment());
        assertThat(journal.of(TestEvent.TestStarted.class).stream()
                        .map(TestEvent.TestStarted::testClass)
                        .distinct())
                .as("test classes in %s's journal", testClass.getSimpleName())
                .containsExactly(testClass.getName());
        String text = journal.events().toString();
        for (Class<?> other : CLASSES) {
            if (other != testClass) {
                assertThat(text)
                        .as("%s's journal mentions %s", testClass.getSimpleName(), other.getSimpleName())
                        .doesNotContain(other.getSimpleName())
                        .doesNotContain(MACHINES.get(other).stream()
                                .map(name -> "'" + name + "'")
                                .toList())
                        .doesNotContain(MACHINES.get(other).stream()
                                .map(name -> "machine=" + name + ",")
                                .toList())
                        .doesNotContain(SEEN.get(other).environment());
            }
        }
    }

    /**
     * The run's report (written by the launcher listener while the classes ran at once) shows the
     * environments, each with its own class's tests only, all passed.
     */
    private static void assertTheReportShowsEachClassInItsOwnEnvironment() throws IOException {
        String index = Files.readString(REPORT.resolve(TestbedReport.INDEX), StandardCharsets.UTF_8);
        for (Class<?> testClass : CLASSES) {
            Seen seen = SEEN.get(testClass);
            assertThat(index).as("the report's index").contains(seen.environment());
            EnvironmentModel environment = EnvironmentReader.read(seen.prefix());
            assertThat(environment.tests().stream()
                            .filter(test -> !test.container())
                            .map(TestModel::className)
                            .distinct())
                    .as("classes of the tests in %s's environment", testClass.getSimpleName())
                    .containsExactly(testClass.getName());
            assertThat(environment.tests().stream().filter(test -> !test.container()))
                    .as("tests in %s's environment", testClass.getSimpleName())
                    .hasSize(2)
                    .allMatch(test -> test.status() == Status.PASSED, "passed");
        }
        TestbedReport report = TestbedReport.fromPrefixes(ROOT);
        assertThat(report.environments()).isEqualTo(CLASSES.size());
        assertThat(report.failed()).as("the report shows a failure").isFalse();
    }

    /** Every progress line starts with the tag and one of the environments' names, and each ends torn down. */
    private static void assertEveryProgressLineIsWholeAndNamesItsEnvironment(String output) {
        List<String> names = SEEN.values().stream().map(Seen::environment).toList();
        List<String> progress = new ArrayList<>();
        // up to the report's run summary, printed once when the plan ends
        output.lines()
                .takeWhile(line -> !line.startsWith("[testbed] report: "))
                .filter(line -> line.contains("[testbed]"))
                .forEach(progress::add);
        assertThat(progress).as("progress lines").isNotEmpty();
        for (String line : progress) {
            assertThat(line)
                    .as("a whole progress line naming its environment")
                    .startsWith("[testbed] ")
                    .satisfies(l -> assertThat(
                                    names.stream().anyMatch(name -> l.startsWith("[testbed] " + name + ": ")))
                            .as("names one of %s: %s", names, l)
                            .isTrue());
            assertThat(line.indexOf("[testbed]", 1))
                    .as("two lines run into one: %s", line)
                    .isEqualTo(-1);
        }
        for (String name : names) {
            assertThat(progress.stream().filter(l -> l.startsWith("[testbed] " + name + ": ")))
                    .as("progress of %s", name)
                    .anyMatch(l -> l.contains(": ready after "))
                    .anyMatch(l -> l.contains(": torn down in "));
        }
    }

    /** Writes to two streams: the console as before, and a copy to read afterwards. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public synchronized void flush() throws java.io.IOException {
            first.flush();
            second.flush();
        }
    }
}
