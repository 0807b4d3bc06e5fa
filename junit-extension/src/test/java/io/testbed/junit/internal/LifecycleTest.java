package io.testbed.junit.internal;

import static io.testbed.junit.TestbedAssertions.assertThat;
import static io.testbed.junit.TestbedAssertions.fail;
import static io.testbed.junit.internal.Outcomes.assertAllSucceeded;
import static io.testbed.junit.internal.Outcomes.assertNothingLeaked;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.testbed.core.Environment;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestNetwork;
import io.testbed.core.engine.ProvisioningException;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The environment's lifecycle, observed through the local provider's record of every call: provisioned once per
 * class, reverted per policy, torn down exactly once — also when tests fail or provisioning fails half-way — shared
 * by nested classes, inherited, reused through a meta-annotation, and distinct for classes running in parallel.
 */
class LifecycleTest {

    @TempDir
    Path temp;

    Testkit kit;

    @BeforeEach
    void setUp() {
        kit = new Testkit(temp);
    }

    private static final List<String> PROVISION_WEB_ON_LAN = List.of(
            "session open",
            "network lan create",
            "machine web create",
            "machine web start",
            "machine web ready",
            "machine web snapshot baseline");
    private static final List<String> TEARDOWN_WEB_ON_LAN =
            List.of("machine web stop", "machine web destroy", "network lan destroy", "session close");

    private static List<String> concat(List<String> first, List<String> middle, List<String> last) {
        return java.util.stream.Stream.of(first, middle, last)
                .flatMap(List::stream)
                .toList();
    }

    // --- revert after each test; a failing test; teardown once

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class RevertEachTest {
        @Test
        @Order(1)
        void first(Machine web, Environment env) {
            LocalRecorder.mark(env, "test first");
            web.run("echo changed > state", RunOptions.expectSuccess());
        }

        @Test
        @Order(2)
        void second(Machine web, Environment env) {
            LocalRecorder.mark(env, "test second");
            assertThat(web.run("test -e state")).failed();
        }

        @Test
        @Order(3)
        void third(Environment env) {
            LocalRecorder.mark(env, "test third");
            fail("deliberately");
        }
    }

    @Test
    void provisionsOnceRevertsAfterEachTestAndTearsDownOnceDespiteAFailure() {
        var run = Outcomes.capturingOutput(() -> kit.run(RevertEachTest.class));
        run.value()
                .testEvents()
                .assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));
        assertThat(LocalRecorder.prefixes("revert-each-test")).hasSize(1);
        assertThat(LocalRecorder.events("revert-each-test"))
                .containsExactlyElementsOf(concat(
                        PROVISION_WEB_ON_LAN,
                        List.of(
                                "test first", "machine web revert baseline",
                                "test second", "machine web revert baseline",
                                "test third", "machine web revert baseline"),
                        TEARDOWN_WEB_ON_LAN));
        assertNothingLeaked();
        // progress lines: what is booting and how long it took
        assertThat(run.output())
                .contains(
                        "[testbed] revert-each-test: provisioning for RevertEachTest: 1 machine(s) [web], 1 network(s) [lan]",
                        "[testbed] revert-each-test: machine 'web' booting",
                        "[testbed] revert-each-test: machine 'web' answers commands after ",
                        "[testbed] revert-each-test: ready after ",
                        "[testbed] revert-each-test: first(): 1 command; reverted to baseline in ",
                        "[testbed] revert-each-test: second(): 1 command; reverted to baseline in ",
                        "[testbed] revert-each-test: third() failed: reverted to baseline in ",
                        "[testbed] revert-each-test: machine 'web' destroyed in ",
                        "[testbed] revert-each-test: torn down in ");
    }

    @Test
    void theExplicitAfterAllTearsDownEvenWhenTheStoreDoesNotCloseValues() {
        kit.with("junit.jupiter.extensions.store.close.autocloseable.enabled", "false");
        kit.run(RevertEachTest.class)
                .testEvents()
                .assertStatistics(stats -> stats.started(3).failed(1));
        assertThat(LocalRecorder.events("revert-each-test"))
                .containsOnlyOnce("machine web destroy", "network lan destroy", "session close");
        assertNothingLeaked();
    }

    // --- never revert

    @Prefix(revert = Revert.NEVER)
    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class NeverRevert {
        @Test
        @Order(1)
        void first(Machine web) {
            web.run("echo changed > state", RunOptions.expectSuccess());
        }

        @Test
        @Order(2)
        void second(Machine web) {
            assertThat(web).hasFile("state");
        }
    }

    @Test
    void revertNeverLetsTestsSeeEachOthersChanges() {
        assertAllSucceeded(kit.run(NeverRevert.class), 2);
        assertThat(LocalRecorder.events("never-revert"))
                .containsExactlyElementsOf(concat(PROVISION_WEB_ON_LAN, List.of(), TEARDOWN_WEB_ON_LAN));
        assertNothingLeaked();
    }

    // --- background jobs are killed and settings restored after every test, whatever the revert policy

    @Prefix(revert = Revert.NEVER)
    @VM(name = "web")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class CleansUpBetweenTests {
        static Job job;

        @Test
        @Order(1)
        void startsAJobAndChangesASetting(Machine web) {
            job = web.start("sleep 300");
            web.setSysctl("net.ipv4.ip_forward", "1");
            assertThat(web.run("cat /proc/sys/net/ipv4/ip_forward")).hasStdout("1");
        }

        @Test
        @Order(2)
        void findsTheJobKilledAndTheSettingRestored(Machine web) {
            assertThat(job.finished()).isTrue();
            assertThat(job.passed()).isFalse();
            assertThat(web.run("cat /proc/sys/net/ipv4/ip_forward")).hasStdout("0");
        }
    }

    @Test
    void backgroundJobsAreKilledAndSettingsRestoredAfterEachTest() {
        assertAllSucceeded(kit.run(CleansUpBetweenTests.class), 2);
        assertThat(LocalRecorder.events("cleans-up-between-tests")).noneMatch(e -> e.contains("revert"));
        assertNothingLeaked();
    }

    // --- nested classes share the environment; revert after each nested class

    @Prefix(revert = Revert.AFTER_EACH_CLASS)
    @VM(name = "web")
    @TestClassOrder(ClassOrderer.OrderAnnotation.class)
    static class SharedWithNested {
        @Test
        void outer(Environment env) {
            LocalRecorder.mark(env, "test outer");
        }

        @Nested
        @Order(1)
        @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
        class Writes {
            @Test
            @Order(1)
            void write(Machine web, Environment env) {
                LocalRecorder.mark(env, "test write");
                web.run("echo x > state", RunOptions.expectSuccess());
            }

            @Test
            @Order(2)
            void seesItsOwnWrite(Machine web, Environment env) {
                LocalRecorder.mark(env, "test sees-own-write");
                assertThat(web).hasFile("state");
            }
        }

        @Nested
        @Order(2)
        class StartsClean {
            @Test
            void clean(Machine web, Environment env) {
                LocalRecorder.mark(env, "test clean");
                assertThat(web.run("test -e state")).failed();
            }
        }
    }

    @Test
    void nestedClassesShareTheEnvironmentAndAreRevertedAfterEachClass() {
        assertAllSucceeded(kit.run(SharedWithNested.class), 4);
        assertThat(LocalRecorder.prefixes("shared-with-nested")).hasSize(1);
        assertThat(LocalRecorder.events("shared-with-nested"))
                .containsExactly(
                        "session open",
                        "machine web create",
                        "machine web start",
                        "machine web ready",
                        "machine web snapshot baseline",
                        "test outer",
                        "test write",
                        "test sees-own-write",
                        "machine web revert baseline",
                        "test clean",
                        "machine web revert baseline",
                        "machine web stop",
                        "machine web destroy",
                        "session close");
        assertNothingLeaked();
    }

    // --- provisioning fails half-way

    @VM(name = "a")
    @VM(name = "b", properties = "local.fail=ready")
    static class FailsHalfWay {
        @Test
        void neverRuns() {
            fail("must not run");
        }
    }

    @Test
    void provisioningFailingHalfWayRollsBackEverythingAndRunsNoTest() {
        EngineExecutionResults results = kit.run(FailsHalfWay.class);
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                container(FailsHalfWay.class),
                                finishedWithFailure(
                                        instanceOf(ProvisioningException.class),
                                        message(m -> m.startsWith(
                                                        "Provisioning failed: machine 'b' during machine.ready: injected failure: machine b fails "
                                                                + "during ready" + System.lineSeparator()
                                                                + "Console tail of machine 'b':")
                                                && m.contains("Everything created was rolled back")))));
        results.testEvents().assertStatistics(stats -> stats.started(0));
        List<String> events = LocalRecorder.events("fails-half-way");
        // 'a' may or may not have become ready first: b's failure ends a's wait at once; and when b fails before
        // the pool got to 'a', 'a' is never created at all
        assertThat(events)
                .contains("machine b create", "machine b start", "machine b destroy", "session close")
                .doesNotContain("machine b ready");
        long created = events.stream().filter(e -> e.endsWith(" create")).count();
        assertThat(events.stream().filter(e -> e.endsWith(" destroy")))
                .as("every machine created is destroyed: %s", events)
                .hasSize((int) created);
        if (events.contains("machine a create")) {
            assertThat(events).contains("machine a destroy");
        }
        assertNothingLeaked();
        // the prefix stays, with its journal, for diagnosis
        Path prefix = kit.prefix(LocalRecorder.prefixes("fails-half-way").get(0));
        assertThat(prefix.resolve("journal.jsonl")).exists();
    }

    // --- inheritance

    @VM(name = "web", roles = "frontend")
    abstract static class BaseWithWeb {
        @Test
        void inheritedTest(@Host("web") Machine web) {
            assertThat(web.roles()).containsExactly("frontend");
        }
    }

    @VM(name = "db")
    static class InheritsWeb extends BaseWithWeb {
        @Test
        void ownTest(Environment env) {
            assertThat(env.machines()).extracting(Machine::name).containsExactly("web", "db");
        }
    }

    @Test
    void annotationsOnSuperclassesCount() {
        assertAllSucceeded(kit.run(InheritsWeb.class), 2);
        assertThat(LocalRecorder.prefixes("inherits-web")).hasSize(1);
        assertThat(LocalRecorder.events("inherits-web")).contains("machine web create", "machine db create");
        assertNothingLeaked();
    }

    // --- a topology named once and reused

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Network(name = "lan")
    @VM(name = "web", networks = "lan", roles = "frontend")
    @VM(name = "db", networks = "lan", roles = "backend")
    @interface TwoNodeLan {}

    @TwoNodeLan
    static class FirstUser {
        @Test
        void test(@Host("web") Machine web, @Host("db") Machine db, TestNetwork lan, Environment env) {
            LocalRecorder.mark(env, "subnet " + lan.cidr());
            assertThat(web.address(lan)).isNotEqualTo(db.address(lan));
        }
    }

    @TwoNodeLan
    static class SecondUser {
        @Test
        void test(@Host("web") Machine web, @Host("db") Machine db, TestNetwork lan, Environment env) {
            LocalRecorder.mark(env, "subnet " + lan.cidr());
            assertThat(web.address(lan)).isNotEqualTo(db.address(lan));
        }
    }

    @Test
    void aMetaAnnotatedTopologyServesSeveralClassesWithAnEnvironmentEach() {
        assertAllSucceeded(kit.run(FirstUser.class, SecondUser.class), 2);
        for (String name : List.of("first-user", "second-user")) {
            assertThat(LocalRecorder.prefixes(name)).hasSize(1);
            assertThat(LocalRecorder.events(name))
                    .contains(
                            "network lan create",
                            "machine web create",
                            "machine db create",
                            "machine web destroy",
                            "machine db destroy",
                            "network lan destroy");
        }
        assertNothingLeaked();
    }

    // --- parallel classes get distinct environments and leases

    static volatile CyclicBarrier meeting;

    @TwoNodeLan
    static class ParallelOne {
        @Test
        void meet(TestNetwork lan, Environment env) throws Exception {
            LocalRecorder.mark(env, "subnet " + lan.cidr());
            meeting.await(60, TimeUnit.SECONDS);
        }
    }

    @TwoNodeLan
    static class ParallelTwo {
        @Test
        void meet(TestNetwork lan, Environment env) throws Exception {
            LocalRecorder.mark(env, "subnet " + lan.cidr());
            meeting.await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void classesRunningInParallelGetDistinctEnvironmentsAndSubnets() {
        meeting = new CyclicBarrier(2);
        kit.with("junit.jupiter.execution.parallel.enabled", "true")
                .with("junit.jupiter.execution.parallel.mode.default", "same_thread")
                .with("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .with("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .with("junit.jupiter.execution.parallel.config.fixed.parallelism", "2");
        // each test waits for the other at the barrier: both pass only if both environments were live at once
        assertAllSucceeded(kit.run(ParallelOne.class, ParallelTwo.class), 2);
        String one = LocalRecorder.prefixes("parallel-one").get(0);
        String two = LocalRecorder.prefixes("parallel-two").get(0);
        assertThat(one).isNotEqualTo(two);
        String subnetOne = subnet(one);
        String subnetTwo = subnet(two);
        assertThat(subnetOne).startsWith("198.1").isNotEqualTo(subnetTwo);
        assertThat(subnetTwo).startsWith("198.1");
        assertNothingLeaked();
    }

    private static String subnet(String prefix) {
        return LocalRecorder.eventsOfPrefix(prefix).stream()
                .filter(e -> e.startsWith("subnet "))
                .map(e -> e.substring("subnet ".length()))
                .findFirst()
                .orElseThrow();
    }

    // --- a test cannot close the environment

    @VM(name = "web")
    static class ClosesEnvironment {
        @Test
        void test(Environment env) {
            assertThat(env).isNotInstanceOf(AutoCloseable.class); // the engine's handle owns close(), tests do not
        }
    }

    @Test
    void testsCannotCloseTheEnvironment() {
        assertAllSucceeded(kit.run(ClosesEnvironment.class), 1);
        assertThat(LocalRecorder.events("closes-environment")).containsOnlyOnce("machine web destroy");
        assertNothingLeaked();
    }

    // --- the prefix: spec, journal, logs; disks removed after teardown

    @Test
    void prefixKeepsJournalAndLogsAfterTeardown() throws Exception {
        assertAllSucceeded(kit.run(NeverRevert.class), 2);
        Path prefix = kit.prefix(LocalRecorder.prefixes("never-revert").get(0));
        assertThat(prefix.resolve("journal.jsonl")).exists();
        assertThat(prefix.resolve("logs/web.log")).content().contains("[web] booting", "[web] ready");
        assertThat(prefix.resolve("logs/commands.log"))
                .content()
                .containsPattern("web run exit=0 \\d+ms cmd=echo changed > state\n");
        // disks (overlays, snapshot state) are large: removed after a clean teardown
        assertThat(prefix.resolve("disks")).doesNotExist();
    }
}
