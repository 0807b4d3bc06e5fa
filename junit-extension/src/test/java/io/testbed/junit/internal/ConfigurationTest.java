package io.testbed.junit.internal;

import static io.testbed.junit.internal.Outcomes.assertAllSucceeded;
import static io.testbed.junit.internal.Outcomes.assertNothingLeaked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        kit.run(DefaultTemplate.class)
                .containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                container(DefaultTemplate.class),
                                finishedWithFailure(message(m -> m.endsWith(
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

    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @io.testbed.junit.Prefix(name = "from-meta")
    @VM(name = "web")
    @interface MetaTopology {}

    @io.testbed.junit.Prefix(name = "own")
    @MetaTopology
    static class OwnPrefixOverMetaAnnotation {
        @org.junit.jupiter.api.Test
        void test() {}
    }

    @Test
    void theClassesOwnPrefixWinsOverTheOneOnItsMetaAnnotation() {
        assertAllSucceeded(kit.run(OwnPrefixOverMetaAnnotation.class), 1);
        assertThat(LocalRecorder.prefixes("own")).hasSize(1);
        assertThat(LocalRecorder.prefixes("from-meta")).isEmpty();
    }

    @io.testbed.junit.Prefix(libvirtUri = "qemu+ssh://root@localhost/system")
    @VM(name = "web")
    static class OwnLibvirt {
        @org.junit.jupiter.api.Test
        void test() {}
    }

    @Test
    void aPrefixLibvirtUriReplacesTheConfiguredOneForItsClassOnly() {
        TestbedConfig config = TestbedConfig.of(java.util.Map.of(TestbedConfig.LIBVIRT_URI, "qemu:///session"));
        assertThat(ConfigurationReader.forClass(config, Topology.of(OwnLibvirt.class))
                        .libvirtUri())
                .isEqualTo("qemu+ssh://root@localhost/system");
        assertThat(ConfigurationReader.forClass(config, Topology.of(DefaultTemplate.class))
                        .libvirtUri())
                .isEqualTo("qemu:///session");
        assertThat(ConfigurationReader.forClass(config, Topology.of(OwnPrefixOverMetaAnnotation.class))
                        .libvirtUri())
                .isEqualTo("qemu:///session");
    }

    @Test
    void prefixNamesAreDerivedFromClassNames() {
        assertThat(SpecMapper.deriveName("ClusterIT")).isEqualTo("cluster-it");
        assertThat(SpecMapper.deriveName("HTTPServerTest")).isEqualTo("http-server-test");
        assertThat(SpecMapper.deriveName("TwoNodeLanTest")).isEqualTo("two-node-lan-test");
        assertThat(SpecMapper.deriveName("V2Api")).isEqualTo("v2-api");
        assertThat(SpecMapper.deriveName("_1Weird__Name$")).isEqualTo("weird-name");
        assertThat(SpecMapper.deriveName("AVeryLongTestClassNameThatGoesOnAndOnIT"))
                .isEqualTo("a-very-long-test-class-name-tha")
                .hasSizeLessThanOrEqualTo(31);
        assertThat(SpecMapper.deriveName("123")).isEqualTo("env");
    }

    private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void progressLinesSayWhatIsBootingAndHowLongItTook() {
        assertThat(ProgressPrinter.describe(new ResourceEvent.MachineBooting(T, "env", "web")))
                .isEqualTo("machine 'web' booting");
        assertThat(ProgressPrinter.describe(new ResourceEvent.MachineReady(
                        T, "env", "web", Duration.ofMillis(7940), Duration.ofMillis(7300))))
                .isEqualTo("machine 'web' answers commands after 7.9 s");
        assertThat(ProgressPrinter.describe(
                        new ResourceEvent.MachineCreated(T, "env", "web", "local", "id", Duration.ofMillis(40))))
                .isEqualTo("machine 'web' created in 40 ms");
        assertThat(ProgressPrinter.describe(new EnvironmentEvent.StepFailed(
                        T,
                        "env",
                        "machine 'web'",
                        "machine.ready",
                        Duration.ofSeconds(180),
                        "no answer",
                        "io.testbed.core.TestbedException")))
                .isEqualTo("machine 'web' machine.ready failed after 180.0 s: no answer");
        assertThat(ProgressPrinter.describe(new ResourceEvent.StateChanged(
                        T, "env", ResourceEvent.Kind.MACHINE, "web", "CREATED", "RUNNING")))
                .isNull();
    }

    @Test
    void teardownLinesSayWhenItBeganAndHowLongItTook() {
        var bytes = new java.io.ByteArrayOutputStream();
        ProgressPrinter printer = new ProgressPrinter(
                "env", new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8), true);
        printer.accept(new EnvironmentEvent.TeardownStarted(T, "env"));
        printer.accept(new ResourceEvent.MachineDestroyed(T.plusMillis(1500), "env", "web", Duration.ofMillis(1500)));
        printer.accept(new EnvironmentEvent.Closed(
                T.plusMillis(2100), "env", EnvironmentEvent.Outcome.TORN_DOWN, Duration.ofMillis(2100), 0));
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8).lines())
                .containsExactly(
                        "[testbed] env: tearing down",
                        "[testbed] env: machine 'web' destroyed in 1.5 s",
                        "[testbed] env: torn down in 2.1 s");
    }

    @Test
    void templateAndAcceleratorLinesSayWhatTheMachinesRunOnWithOneReason() {
        assertThat(ProgressPrinter.describe(new HostEvent.TemplateProgress(
                        T, "env", "template tiny: cached /var/cache/testbed/templates/tiny/0a1e")))
                .isEqualTo("template tiny: cached /var/cache/testbed/templates/tiny/0a1e");
        assertThat(ProgressPrinter.describe(new HostEvent.KvmProbeProgress(
                        T, "env", "KVM probe: /dev/kvm is missing or not read-writable by this user; using TCG")))
                .isNull();
        assertThat(ProgressPrinter.describe(new HostEvent.AcceleratorChosen(
                        T,
                        "env",
                        "tiny",
                        HostEvent.Accelerator.TCG,
                        "/dev/kvm is missing or not read-writable by this user")))
                .isEqualTo("machines of template tiny run under TCG (software emulation, slower): /dev/kvm is "
                        + "missing or not read-writable by this user");
        assertThat(ProgressPrinter.describe(
                        new ResourceEvent.Reverted(T, "env", "web", "baseline", Duration.ofMillis(650))))
                .isNull();
    }
}
