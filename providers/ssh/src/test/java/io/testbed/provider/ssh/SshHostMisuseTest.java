package io.testbed.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.core.ssh.SshKeys;
import io.testbed.junit.Host;
import io.testbed.junit.Link;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.SshHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Misuses of {@link SshHost @SshHost} and of the inventory, run through the Jupiter engine against the real ssh
 * provider: each fails the class with one message naming the class, the annotation and the rule, before anything is
 * provisioned — no prefix, no host lease, no connection (the inventory's hosts are in TEST-NET-1 and never answer).
 */
class SshHostMisuseTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path inventory;
    private final Map<String, String> parameters = new LinkedHashMap<>();

    @BeforeEach
    void inventory() throws IOException {
        SshKeys.generate(dir.resolve("keys/lab"), "client");
        String hostKey = SshKeys.generate(dir.resolve("hostkeys/lab"), "lab").publicLine();
        inventory = dir.resolve("lab.yaml");
        Files.writeString(inventory, """
                defaults:
                  user: testbed
                  private_key: keys/lab
                hosts:
                  - name: lab-1
                    address: 192.0.2.11
                    host_key: %1$s
                    roles: [lab]
                    properties: {memory: 2 GiB, cpus: 2, arch: x86_64}
                  - name: lab-2
                    address: 192.0.2.12
                    host_key: %1$s
                    roles: [lab]
                    properties: {memory: 8 GiB, cpus: 8, arch: x86_64}
                """.formatted(hostKey));
        parameters.put("testbed.ssh.inventory", inventory.toString());
        parameters.put("testbed.lease.dir", dir.resolve("leases").toString());
        parameters.put("testbed.prefix.root", dir.resolve("prefixes").toString());
        parameters.put("testbed.report.enabled", "false");
    }

    private String failureOf(Class<?> fixture) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameters(parameters)
                .selectors(DiscoverySelectors.selectClass(fixture))
                .execute();
        List<Throwable> failures = results.allEvents().failed().stream()
                .map(e -> e.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class)
                        .getThrowable()
                        .orElseThrow())
                .toList();
        assertThat(failures).as("failures of %s", fixture.getSimpleName()).hasSize(1);
        assertNothingProvisioned();
        return failures.get(0).getMessage();
    }

    private void assertNothingProvisioned() {
        Path prefixes = dir.resolve("prefixes");
        if (Files.isDirectory(prefixes)) {
            try (Stream<Path> entries = Files.list(prefixes)) {
                assertThat(entries.toList()).as("prefixes").isEmpty();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertThat(HostLeaseStore.besideSubnetLeases(dir.resolve("leases")).list())
                .as("host leases")
                .isEmpty();
    }

    @SshHost(name = "server", requires = "memory >= 4 GB!")
    static class BadRequirement {
        @Test
        void test(@Host("server") Machine server) {}
    }

    @Test
    void aMalformedRequirementIsQuotedWithTheAnnotation() {
        assertThat(failureOf(BadRequirement.class))
                .startsWith("Testbed environment of BadRequirement is invalid; nothing was provisioned:" + NL
                        + "  - @SshHost(name = \"server\") requires requirement 'memory >= 4 GB!'");
    }

    @SshHost(name = "server", requires = "memory >= 4 GiB", roles = "lab")
    @SshHost(name = "client", requires = "memory >= 4 GiB", roles = "lab")
    static class NoMatch {
        @Test
        void test() {}
    }

    @Test
    void noMatchIsExplainedPerMachineAndHost() {
        assertThat(failureOf(NoMatch.class))
                .startsWith("Testbed environment of NoMatch is invalid; nothing was provisioned:" + NL
                        + "  - @SshHost(name = \"server\") requires cannot be met by the inventory:" + NL)
                .contains("lab-1: memory 2 GiB < 4 GiB")
                .contains("server, client can only use lab-2 between them (2 machines, 1 host)");
    }

    @Prefix(revert = Revert.AFTER_EACH_TEST)
    @SshHost(name = "server", roles = "lab")
    static class RevertsExistingHosts {
        @Test
        void test() {}
    }

    @Test
    void askingForRevertsOfOnlyExistingHostsIsAMisuseThatSaysWhatToUseInstead() {
        assertThat(failureOf(RevertsExistingHosts.class))
                .isEqualTo("Testbed environment of RevertsExistingHosts is invalid; nothing was provisioned:" + NL
                        + "  - @Prefix(revert = AFTER_EACH_TEST) of RevertsExistingHosts asks for reverts, but its only"
                        + " machines are existing hosts (@SshHost(name = \"server\")), which are never snapshotted or "
                        + "reverted; write @Prefix(revert = Revert.NEVER) (after each test Testbed still kills the "
                        + "test's background jobs and restores the settings it changed on them), or put the state to "
                        + "reset on a @VM or @DockerHost");
    }

    @SshHost(name = "server")
    static class AnyHost {
        @Test
        void test() {}
    }

    @Test
    void aMissingInventoryFileIsNamedWithItsConfigurationKey() {
        parameters.put("testbed.ssh.inventory", dir.resolve("nowhere.yaml").toString());
        assertThat(failureOf(AnyHost.class))
                .startsWith("Testbed environment of AnyHost is invalid; nothing was provisioned:" + NL
                        + "  - @SshHost(name = \"server\") cannot use the inventory: testbed.ssh.inventory names '"
                        + dir.resolve("nowhere.yaml") + "', which is neither a file");
    }

    @Test
    void anUnknownInventoryKeyIsReportedWithASuggestion() throws IOException {
        Files.writeString(
                inventory, Files.readString(inventory).replace("    address: 192.0.2.12", "    adress: 192.0.2.12"));
        assertThat(failureOf(AnyHost.class))
                .startsWith("Testbed environment of AnyHost is invalid; nothing was provisioned:" + NL
                        + "  - @SshHost(name = \"server\") cannot use the inventory: inventory " + inventory)
                .contains("adress")
                .contains("address");
    }

    @SshHost(name = "server", segments = "bad label!")
    static class BadSegment {
        @Test
        void test() {}
    }

    @Test
    void aBadSegmentLabelNamesTheAttribute() {
        assertThat(failureOf(BadSegment.class))
                .isEqualTo("Testbed environment of BadSegment is invalid; nothing was provisioned:" + NL
                        + "  - @SshHost(name = \"server\") segments label 'bad label!' must match "
                        + "[A-Za-z0-9][A-Za-z0-9_.-]*");
    }

    @SshHost(name = "server", roles = "lab")
    @SshHost(name = "client", roles = "lab")
    @Link(from = "server", to = "lab", delay = "20ms")
    static class LinkBetweenExistingHosts {
        @Test
        void test() {}
    }

    @Test
    void aLinkCannotShapeExistingHostsAndSaysSoBeforeAnythingIsLeased() {
        String rule = " on no network of the environment (an existing host keeps its own NICs): Testbed shapes only"
                + " traffic between machines on the environment's networks; constrain those machines instead";
        assertThat(failureOf(LinkBetweenExistingHosts.class))
                .isEqualTo("Testbed environment of LinkBetweenExistingHosts is invalid; nothing was provisioned:" + NL
                        + "  - @Link(from = \"server\", to = \"lab\") from names machine 'server', which is" + rule + NL
                        + "  - @Link(from = \"server\", to = \"lab\") to names 'lab', which selects [server, client],"
                        + rule);
        assertNothingProvisioned();
    }
}
