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

    private static JournalEvent journal(String type, String status, Long duration, Map<String, Object> detail) {
        return new JournalEvent(Instant.now(), type, "machine 'web'", status, duration, detail);
    }
}
