package io.testbed.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.junit.Disk;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Link;
import io.testbed.junit.Net;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Role;
import io.testbed.junit.VM;
import io.testbed.junit.ValidateLinks;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.commons.PreconditionViolationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Every misuse fails the class with one exact message naming the annotation (or element), the rule and the actual
 * value — and nothing is provisioned: the local provider saw no call and no prefix directory exists.
 */
class MisuseTest {

    @TempDir
    Path temp;

    Testkit kit;

    @BeforeEach
    void setUp() {
        kit = new Testkit(temp);
    }

    private static String report(Class<?> fixture, String... problems) {
        return "Testbed environment of " + fixture.getSimpleName() + " is invalid; nothing was provisioned:"
                + Stream.of(problems)
                        .map(p -> System.lineSeparator() + "  - " + p)
                        .collect(Collectors.joining());
    }

    private void assertRejected(Class<?> fixture, Class<? extends Throwable> type, String... problems) {
        assertClassFails(fixture, type, report(fixture, problems));
    }

    private void assertClassFails(Class<?> fixture, Class<? extends Throwable> type, String message) {
        EngineExecutionResults results = kit.run(fixture);
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(1, event(container(fixture), finishedWithFailure(instanceOf(type), message(message))));
        results.testEvents().assertStatistics(stats -> stats.started(0));
        assertNothingProvisioned();
    }

    private void assertNothingProvisioned() {
        assertThat(LocalRecorder.events()).isEmpty();
        assertThat(kit.prefixCount()).isZero();
        assertThat(LocalRecorder.live()).isEmpty();
    }

    // --- 1. duplicate machine name

    @VM(name = "web")
    @VM(name = "web", memoryMb = 128)
    static class DuplicateMachine {
        @Test
        void test() {}
    }

    @Test
    void duplicateMachineNameIsRejected() {
        assertRejected(
                DuplicateMachine.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") name is declared twice");
    }

    @VM(name = "web")
    @VM(name = "web")
    static class IdenticalMachines {
        @Test
        void test() {}
    }

    @Test
    void twoIdenticalMachineAnnotationsAreNotMerged() {
        assertRejected(
                IdenticalMachines.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") name is declared twice");
    }

    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @Network(name = "lan")
    @interface Lan {}

    @Lan
    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class IdenticalNetworksThroughAMetaAnnotation {
        @Test
        void test() {}
    }

    @Test
    void anIdenticalNetworkFromAMetaAnnotationIsNotMerged() {
        assertRejected(
                IdenticalNetworksThroughAMetaAnnotation.class,
                PreconditionViolationException.class,
                "@Network(name = \"lan\") name is declared twice");
    }

    // --- 2. duplicate network name

    @Network(name = "lan")
    @Network(name = "lan", mtu = 1400)
    @VM(name = "web", networks = "lan")
    static class DuplicateNetwork {
        @Test
        void test() {}
    }

    @Test
    void duplicateNetworkNameIsRejected() {
        assertRejected(
                DuplicateNetwork.class,
                PreconditionViolationException.class,
                "@Network(name = \"lan\") name is declared twice");
    }

    // --- 3. a machine on an undeclared network

    @Network(name = "lan")
    @VM(
            name = "web",
            networks = {"lan", "wan"})
    static class UnknownNetwork {
        @Test
        void test() {}
    }

    @Test
    void machineOnUndeclaredNetworkIsRejected() {
        assertRejected(
                UnknownNetwork.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") networks refers to unknown network 'wan'; declared networks: [lan]");
    }

    // --- 4. zero memory

    @VM(name = "web", memoryMb = 0)
    static class ZeroMemory {
        @Test
        void test() {}
    }

    @Test
    void zeroMemoryIsRejected() {
        assertRejected(
                ZeroMemory.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") memoryMb must be at least 32, was 0");
    }

    // --- 5. negative cpus

    @VM(name = "web", cpus = -1)
    static class NegativeCpus {
        @Test
        void test() {}
    }

    @Test
    void negativeCpusAreRejected() {
        assertRejected(
                NegativeCpus.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") cpus must be between 1 and 64, was -1");
    }

    // --- 6. disk of size 0

    @VM(name = "db", disks = @Disk(name = "data", sizeMb = 0))
    static class EmptyDisk {
        @Test
        void test() {}
    }

    @Test
    void diskOfSizeZeroIsRejected() {
        assertRejected(
                EmptyDisk.class,
                PreconditionViolationException.class,
                "@VM(name = \"db\") @Disk(name = \"data\") sizeMb must be between 1 and 1048576, was 0");
    }

    // --- 7. duplicate disk

    @VM(
            name = "db",
            disks = {@Disk(name = "data", sizeMb = 64), @Disk(name = "data", sizeMb = 32)})
    static class DuplicateDisk {
        @Test
        void test() {}
    }

    @Test
    void duplicateDiskIsRejected() {
        assertRejected(
                DuplicateDisk.class,
                PreconditionViolationException.class,
                "@VM(name = \"db\") disks declares disk 'data' twice");
    }

    // --- 8. names that are not DNS labels, all reported at once

    @Prefix(name = "My Env")
    @Network(name = "1lan")
    @VM(name = "Web_1", networks = "1lan")
    @VM(name = "db", roles = "Back End")
    static class BadNames {
        @Test
        void test() {}
    }

    @Test
    void badNamesAreAllReportedAtOnce() {
        String rule = "must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label)";
        assertRejected(
                BadNames.class,
                PreconditionViolationException.class,
                "@Network(name = \"1lan\") name " + rule + ", was '1lan'",
                "@VM(name = \"Web_1\") name " + rule + ", was 'Web_1'",
                "@VM(name = \"db\") roles role 'Back End' " + rule,
                "@Prefix(name = \"My Env\") name " + rule + ", was 'My Env'");
    }

    // --- 9. explicit subnet outside the pool

    @Network(name = "lan", subnet = "203.0.113.0/24")
    @VM(name = "web", networks = "lan")
    static class SubnetOutsidePool {
        @Test
        void test() {}
    }

    @Test
    void subnetOutsideThePoolIsRejected() {
        assertRejected(
                SubnetOutsidePool.class,
                PreconditionViolationException.class,
                "@Network(name = \"lan\") subnet " + Expected.outsidePool("203.0.113.0/24"));
    }

    // --- 10. explicit subnet in 10/8

    @Network(name = "lan", subnet = "10.1.2.0/24")
    @VM(name = "web", networks = "lan")
    static class PrivateSubnet {
        @Test
        void test() {}
    }

    @Test
    void subnetInTenSlashEightIsRejected() {
        assertRejected(
                PrivateSubnet.class,
                PreconditionViolationException.class,
                "@Network(name = \"lan\") subnet " + Expected.outsidePool("10.1.2.0/24"));
    }

    // --- 11. @Host naming an unknown machine

    @VM(name = "web")
    static class UnknownHost {
        @Test
        void test(@Host("db") Machine db) {}
    }

    @Test
    void hostNamingAnUnknownMachineIsRejected() {
        assertRejected(
                UnknownHost.class,
                PreconditionViolationException.class,
                "@Host(\"db\") on parameter 'db' of method test(Machine) names no machine of environment "
                        + "'unknown-host'; machines: [web]");
    }

    // --- 12. ambiguous Machine parameter

    @VM(name = "web")
    @VM(name = "db")
    static class AmbiguousMachine {
        @Test
        void test(Machine machine) {}
    }

    @Test
    void ambiguousMachineParameterIsRejected() {
        assertRejected(
                AmbiguousMachine.class,
                PreconditionViolationException.class,
                "Machine parameter 'machine' of method test(Machine) is ambiguous: environment 'ambiguous-machine' "
                        + "has 2 machines [web, db]; add @Host(\"name\") or @Role(\"expression\")");
    }

    // --- 13. final field

    @VM(name = "web")
    static class FinalField {
        @Host("web")
        final Machine web = null;

        @Test
        void test() {}
    }

    @Test
    void finalFieldIsRejected() {
        assertRejected(
                FinalField.class,
                ExtensionConfigurationException.class,
                "@Host(\"web\") on field FinalField.web must not be declared as final.");
    }

    // --- 14. wrong field type

    @VM(name = "web")
    static class WrongFieldType {
        @Host("web")
        String web;

        @Role("frontend")
        List<String> frontends;

        @Test
        void test() {}
    }

    @Test
    void wrongFieldTypesAreRejected() {
        assertRejected(
                WrongFieldType.class,
                ExtensionConfigurationException.class,
                "@Host(\"web\") on field WrongFieldType.web must be of type io.testbed.core.Machine, but was "
                        + "java.lang.String",
                "@Role(\"frontend\") on field WrongFieldType.frontends must be of type io.testbed.core.Machine or "
                        + "java.util.List<io.testbed.core.Machine>, but was java.util.List<java.lang.String>");
    }

    // --- 15. injection into a class without an environment

    static class MissingEnvironment {
        @Test
        void test(@Host("web") Machine web) {}
    }

    @Test
    void hostWithoutEnvironmentFailsTheTest() {
        EngineExecutionResults results = kit.run(MissingEnvironment.class);
        results.testEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("test"),
                                finishedWithFailure(
                                        instanceOf(ParameterResolutionException.class),
                                        message(
                                                "@Host(\"web\") on parameter 'web' of method test(Machine) cannot be injected: class "
                                                        + "MissingEnvironment declares no Testbed environment; declare machines with @VM "
                                                        + "on the class, a superclass, an enclosing class or a meta-annotation"))));
        assertNothingProvisioned();
    }

    // --- 16. unknown configuration key

    @VM(name = "web")
    static class AnyEnvironment {
        @Test
        void test() {}
    }

    @Test
    void unknownConfigurationKeyIsRejected() {
        System.setProperty("testbed.lese.dir", "/tmp/x");
        try {
            assertClassFails(
                    AnyEnvironment.class,
                    ExtensionConfigurationException.class,
                    "Invalid Testbed configuration: unknown configuration key 'testbed.lese.dir'; did you mean "
                            + "'testbed.lease.dir'?" + Expected.CONFIGURATION_HINT);
        } finally {
            System.clearProperty("testbed.lese.dir");
        }
    }

    @Test
    void unknownConfigurationKeyOfTheLauncherRequestIsRejected() {
        // Failsafe's <configurationParameters> reach the launcher request, not system properties or a file
        kit.with("testbed.lese.dir", "/tmp/x");
        var failures = kit.runThroughLauncher(AnyEnvironment.class);
        assertThat(failures).containsOnlyKeys("MisuseTest$AnyEnvironment");
        assertThat(failures.get("MisuseTest$AnyEnvironment"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("Invalid Testbed configuration: unknown configuration key 'testbed.lese.dir'; did you mean "
                        + "'testbed.lease.dir'?" + Expected.CONFIGURATION_HINT);
        assertNothingProvisioned();
    }

    // --- 17. invalid configuration value

    @Test
    void invalidConfigurationValueIsRejected() {
        kit.with("testbed.keep", "sometimes");
        assertClassFails(
                AnyEnvironment.class,
                ExtensionConfigurationException.class,
                "Invalid Testbed configuration: testbed.keep must be one of never, on-failure, always, was "
                        + "'sometimes'" + Expected.CONFIGURATION_HINT);
    }

    // --- 18. a template the provider does not have

    @VM(name = "web", template = "centos")
    static class UnknownTemplate {
        @Test
        void test() {}
    }

    @Test
    void templateTheProviderDoesNotHaveIsRejected() {
        assertRejected(
                UnknownTemplate.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") template names template 'centos' which provider local does not have; "
                        + "templates: [local, tiny]");
    }

    // --- 19. a provider that is not on the class path

    @Prefix(provider = "libvirt")
    @VM(name = "web")
    static class MissingProvider {
        @Test
        void test() {}
    }

    @Test
    void providerNotOnTheClassPathIsRejected() {
        assertRejected(
                MissingProvider.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") provider names provider 'libvirt' which is not on the class path; installed "
                        + "providers: [local] (add the testbed-libvirt dependency)");
    }

    // --- 20. an environment without machines

    @Prefix(name = "empty")
    @Network(name = "lan")
    static class NoMachines {
        @Test
        void test() {}
    }

    @Test
    void environmentWithoutMachinesIsRejected() {
        assertRejected(
                NoMachines.class,
                PreconditionViolationException.class,
                "@Prefix(name = \"empty\") declares an environment without machines; declare at least one with @VM "
                        + "on NoMachines, a superclass or a meta-annotation");
    }

    // --- 21. malformed properties and relative collect paths

    @VM(
            name = "web",
            properties = {"novalue", "a=1", "a=2"},
            collect = "var/log/messages")
    static class BadAttributes {
        @Test
        void test() {}
    }

    @Test
    void malformedPropertiesAndRelativeCollectPathsAreRejected() {
        assertRejected(
                BadAttributes.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") properties entry \"novalue\" must be key=value",
                "@VM(name = \"web\") properties declares key \"a\" twice",
                "@VM(name = \"web\") collect path \"var/log/messages\" must be absolute (start with /)");
    }

    // --- 25. @DockerHost: malformed env, bad collect path, and the docker provider not on this class path

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    @DockerHost(
            name = "api",
            networks = "lan",
            env = {"MODE=test", "BROKEN"},
            collect = "tmp/log",
            memoryMb = 0)
    static class BadContainer {
        @Test
        void test() {}
    }

    @Test
    void dockerHostsAreValidatedLikeVms() {
        assertRejected(
                BadContainer.class,
                PreconditionViolationException.class,
                "@DockerHost(name = \"api\") env entry \"BROKEN\" must be NAME=value",
                "@DockerHost(name = \"api\") collect path \"tmp/log\" must be absolute (start with /)",
                "@DockerHost(name = \"api\") memoryMb must be at least 32, was 0");
    }

    // --- 22. networks: unknown @Net, ambiguous TestNetwork, two qualifiers

    @Network(name = "lan")
    @Network(name = "wan")
    @VM(
            name = "web",
            networks = {"lan", "wan"})
    static class NetworkInjection {
        @Test
        void unknown(@Net("dmz") TestNetwork dmz) {}

        @Test
        void ambiguous(TestNetwork network) {}

        @Test
        void twoQualifiers(@Host("web") @Role("web") Machine web) {}
    }

    @Test
    void networkAndQualifierMisusesAreReportedTogether() {
        assertRejected(
                NetworkInjection.class,
                ExtensionConfigurationException.class,
                "TestNetwork parameter 'network' of method ambiguous(TestNetwork) is ambiguous: environment "
                        + "'network-injection' has 2 networks [lan, wan]; add @Net(\"name\")",
                "parameter 'web' of method twoQualifiers(Machine) has @Host and @Role; use exactly one qualifier",
                "@Net(\"dmz\") on parameter 'dmz' of method unknown(TestNetwork) names no network of environment "
                        + "'network-injection'; networks: [lan, wan]");
    }

    // --- 23. spec and injection problems in one message

    @VM(name = "web", memoryMb = 16, cpus = 0)
    static class ManyProblems {
        @Host("db")
        Machine db;

        @Test
        void test() {}
    }

    @Test
    void specAndInjectionProblemsAreReportedInOneMessage() {
        assertRejected(
                ManyProblems.class,
                PreconditionViolationException.class,
                "@VM(name = \"web\") cpus must be between 1 and 64, was 0",
                "@VM(name = \"web\") memoryMb must be at least 32, was 16",
                "@Host(\"db\") on field ManyProblems.db names no machine of environment 'many-problems'; "
                        + "machines: [web]");
    }

    // --- 24. a nested class that declares its own environment

    @VM(name = "web")
    static class NestedDeclaresItsOwn {
        @Test
        void outer() {}

        @Nested
        @VM(name = "db")
        class Inner {
            @Test
            void inner() {}
        }
    }

    @Test
    void nestedClassDeclaringItsOwnEnvironmentIsRejected() {
        EngineExecutionResults results = kit.run(NestedDeclaresItsOwn.class);
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                container("Inner"),
                                finishedWithFailure(
                                        instanceOf(ExtensionConfigurationException.class),
                                        message(
                                                "@Nested class Inner declares its own Testbed environment (@VM(name = \"db\")), but its "
                                                        + "enclosing class NestedDeclaresItsOwn has one; nested classes share the enclosing "
                                                        + "class's environment: move the declarations to NestedDeclaresItsOwn or make Inner "
                                                        + "a top-level class"))));
        // the outer class's environment was provisioned and torn down; the nested one never was
        assertThat(LocalRecorder.events("nested-declares-its-own"))
                .contains("machine web create", "machine web destroy")
                .noneMatch(e -> e.contains("db"));
        assertThat(LocalRecorder.live()).isEmpty();
    }

    // --- 26. role expressions: a Machine matching none or several machines, a List matching none, a malformed one

    @VM(name = "web", roles = "frontend")
    @VM(name = "api", roles = "frontend")
    static class RoleMismatch {
        @Test
        void tooMany(@Role("frontend") Machine frontend) {}

        @Test
        void none(@Role("backend") Machine backend) {}

        @Test
        void malformed(@Role("frontend||backend") List<Machine> machines) {}

        @Test
        void emptyList(@Role("backend") List<Machine> backends) {}
    }

    @Test
    void roleExpressionsAreCheckedAgainstTheDeclaredRolesBeforeProvisioning() {
        assertRejected(
                RoleMismatch.class,
                PreconditionViolationException.class,
                "@Role(\"backend\") on parameter 'backends' of method emptyList(List) matches no machine of"
                        + " environment 'role-mismatch' (roles: {web=[frontend], api=[frontend]}); give a machine that"
                        + " role or fix the expression",
                "@Role(\"frontend||backend\") on parameter 'machines' of method malformed(List) is not a valid role"
                        + " expression: role expression 'frontend||backend' has an operator where a role was expected"
                        + " near '|'",
                "@Role(\"backend\") on parameter 'backend' of method none(Machine) matches 0 machines [] of"
                        + " environment 'role-mismatch', but a Machine needs exactly one; inject a List<Machine> or"
                        + " narrow the expression",
                "@Role(\"frontend\") on parameter 'frontend' of method tooMany(Machine) matches 2 machines [web, api]"
                        + " of environment 'role-mismatch', but a Machine needs exactly one; inject a List<Machine> or"
                        + " narrow the expression");
    }

    // --- 27. @Link: values parsed strictly, groups checked against the declared machines

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    @VM(name = "db", networks = "lan")
    @Link(from = "web", to = "db", delay = "20 ms")
    @Link(from = "db", to = "web", loss = "120%")
    @Link(from = "web", to = "db", rate = "-5mbit", symmetric = true)
    static class BadLinkValues {
        @Test
        void test() {}
    }

    @Test
    void linkValuesAreParsedStrictlyBeforeProvisioning() {
        assertRejected(
                BadLinkValues.class,
                PreconditionViolationException.class,
                "@Link(from = \"web\", to = \"db\") delay must be a number followed by us, ms or s with no space (e.g."
                        + " 20ms), was '20 ms'",
                "@Link(from = \"db\", to = \"web\") loss must be a percentage between 0% and 100% (e.g. 0.5%), was"
                        + " '120%'",
                "@Link(from = \"web\", to = \"db\") rate must be a positive number followed by bit, kbit, mbit or gbit"
                        + " (e.g. 100mbit), was '-5mbit'");
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", roles = "front")
    @VM(name = "db", networks = "lan")
    @Link(from = "front", to = "backend", loss = "1%")
    static class UnknownLinkGroup {
        @Test
        void test() {}
    }

    @Test
    void aLinkGroupThatNamesNothingIsRejectedBeforeProvisioning() {
        assertRejected(
                UnknownLinkGroup.class,
                PreconditionViolationException.class,
                "@Link(from = \"front\", to = \"backend\") to names 'backend', which is no machine and no role;"
                        + " machines: [web, db], roles: [front]");
    }

    @VM(name = "web")
    @ValidateLinks(probes = 5)
    static class TooFewProbes {
        @Test
        void test() {}
    }

    @Test
    void validatingLinksNeedsAtLeastTenProbes() {
        assertRejected(
                TooFewProbes.class,
                PreconditionViolationException.class,
                "@ValidateLinks probes must be at least 10, was 5");
    }
}
