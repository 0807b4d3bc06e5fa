package io.testbed.junit.internal;

import static io.testbed.junit.internal.Outcomes.assertAllSucceeded;
import static io.testbed.junit.internal.Outcomes.assertNothingLeaked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.testbed.core.journal.JournalEvent;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration parameters reach Testbed through JUnit; names and progress lines. */
class ConfigurationTest {

    @TempDir
    Path temp;
    Testkit kit;

    @BeforeEach
    void setUp() {
        kit = new Testkit(temp);
    }

    @VM(name = "web")
    static class DefaultTemplate {
        @org.junit.jupiter.api.Test
        void test() {}
    }

    @Test
    void theConfiguredDefaultTemplateIsUsedWhenAVmNamesNone() {
        kit.with("testbed.template.default", "centos");
        kit.run(DefaultTemplate.class).containerEvents().assertThatEvents().haveExactly(1, event(
                container(DefaultTemplate.class), finishedWithFailure(message(m -> m.endsWith(
                        "@VM(name = \"web\") template names template 'centos' which provider local does not have; "
                                + "templates: [local, tiny]")))));
        assertThat(LocalRecorder.events()).isEmpty();
    }

    @Test
    void systemPropertiesAreConfigurationParametersToo() {
        System.setProperty("testbed.provider.default", "docker");
        try {
            // the launcher parameter wins over the system property, as JUnit defines
            assertAllSucceeded(kit.run(DefaultTemplate.class), 1);
        } finally {
            System.clearProperty("testbed.provider.default");
        }
    }

    @Test
    void progressCanBeSwitchedOff() {
        kit.with("testbed.progress", "false");
        var run = Outcomes.capturingOutput(() -> kit.run(DefaultTemplate.class));
        assertAllSucceeded(run.value(), 1);
        assertThat(run.output()).doesNotContain("[testbed]");
        assertNothingLeaked();
    }

    @Test
    void prefixNamesAreDerivedFromClassNames() {
        assertThat(SpecMapper.deriveName("ClusterIT")).isEqualTo("cluster-it");
        assertThat(SpecMapper.deriveName("HTTPServerTest")).isEqualTo("http-server-test");
        assertThat(SpecMapper.deriveName("TwoNodeLanTest")).isEqualTo("two-node-lan-test");
        assertThat(SpecMapper.deriveName("V2Api")).isEqualTo("v2-api");
        assertThat(SpecMapper.deriveName("_1Weird__Name$")).isEqualTo("weird-name");
        assertThat(SpecMapper.deriveName("AVeryLongTestClassNameThatGoesOnAndOnIT")).isEqualTo(
                "a-very-long-test-class-name-tha").hasSizeLessThanOrEqualTo(31);
        assertThat(SpecMapper.deriveName("123")).isEqualTo("env");
    }

    @Test
    void progressLinesSayWhatIsBootingAndHowLongItTook() {
        assertThat(ProgressPrinter.describe(journal("machine.start", "started", null, Map.of())))
                .isEqualTo("machine 'web' booting");
        assertThat(ProgressPrinter.describe(journal("machine.ready", "ok", 7940L, Map.of())))
                .isEqualTo("machine 'web' answers commands after 7.9 s");
        assertThat(ProgressPrinter.describe(journal("machine.create", "ok", 40L, Map.of())))
                .isEqualTo("machine 'web' created in 40 ms");
        assertThat(ProgressPrinter.describe(journal("machine.ready", "failed", 180000L, Map.of("error", "no answer"))))
                .isEqualTo("machine 'web' machine.ready failed after 180.0 s: no answer");
        assertThat(ProgressPrinter.describe(journal("state", "RUNNING", null, Map.of()))).isNull();
    }

    @Test
    void aMachineAnswersSoLongAfterItBeganBootingAndTeardownHasItsTotal() {
        var bytes = new java.io.ByteArrayOutputStream();
        ProgressPrinter printer = new ProgressPrinter("env", new java.io.PrintStream(bytes, true,
                java.nio.charset.StandardCharsets.UTF_8), true);
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        printer.accept(new JournalEvent(t0, "machine.start", "machine 'web'", "started", null, Map.of()));
        printer.accept(new JournalEvent(t0.plusMillis(600), "machine.start", "machine 'web'", "ok", 600L, Map.of()));
        printer.accept(new JournalEvent(t0.plusMillis(610), "machine.ready", "machine 'web'", "started", null, Map.of()));
        printer.accept(new JournalEvent(t0.plusMillis(7400), "machine.ready", "machine 'web'", "ok", 6790L, Map.of()));
        printer.accept(new JournalEvent(t0.plusSeconds(60), "environment.teardown", "environment env", "started", null,
                Map.of()));
        printer.accept(new JournalEvent(t0.plusMillis(62_100), "environment.teardown", "environment env", "ok", null,
                Map.of("problems", 0)));
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines()).containsExactly(
                "[testbed] env: machine 'web' booting",
                "[testbed] env: machine 'web' answers commands after 7.4 s",
                "[testbed] env: tearing down",
                "[testbed] env: torn down in 2.1 s");
    }

    @Test
    void templateProbeAndAcceleratorLinesSayWhatTheMachinesRunOn() {
        assertThat(ProgressPrinter.describe(new JournalEvent(Instant.now(), "template", "template store", "progress",
                null, Map.of("line", "template tiny: cached /var/cache/testbed/templates/tiny/0a1e"))))
                .isEqualTo("template tiny: cached /var/cache/testbed/templates/tiny/0a1e");
        assertThat(ProgressPrinter.describe(new JournalEvent(Instant.now(), "accelerator", "template tiny", "qemu",
                null, Map.of("reason", "KVM probe boot did not answer in time"))))
                .isEqualTo("machines of template tiny run under TCG (software emulation, slower): KVM probe boot did "
                        + "not answer in time");
        assertThat(ProgressPrinter.describe(journal("snapshot.revert", "ok", 650L, Map.of()))).isNull();
    }

    private static JournalEvent journal(String type, String status, Long duration, Map<String, Object> detail) {
        return new JournalEvent(Instant.now(), type, "machine 'web'", status, duration, detail);
    }
}
