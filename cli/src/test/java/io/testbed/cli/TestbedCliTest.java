package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.core.spi.Owner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line in this JVM on a lease store and registry of its own: parsing, messages and exit statuses. */
class TestbedCliTest {

    @TempDir
    Path temp;

    private record Run(int status, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TestbedCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private String leaseDir() {
        return "testbed.lease.dir=" + temp.resolve("leases");
    }

    @Test
    void helpListsEveryCommand() {
        Run help = run("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("doctor", "ls", "logs", "ssh", "destroy", "janitor", "report");
    }

    @Test
    void anUnknownCommandOrKeyIsAUsageErrorThatSuggestsTheRightOne() {
        Run unknown = run("lst");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument at index 0: 'lst'", "Did you mean: testbed ls");

        Run typo = run("ls", "-D", "testbed.lese.dir=/tmp/x");
        assertThat(typo.status()).isEqualTo(1);
        assertThat(typo.err())
                .contains("testbed ls: Invalid Testbed configuration: unknown configuration key 'testbed.lese.dir';"
                        + " did you mean 'testbed.lease.dir'?");
    }

    @Test
    void anEmptyHostListsNothingInTextAndJson() {
        assertThat(run("ls", "-D", leaseDir()).out()).isEqualTo("no Testbed environment on this host\n");
        assertThat(run("ls", "--json", "-D", leaseDir()).out().strip()).isEqualTo("[ ]");
    }

    @Test
    void lsShowsARegisteredEnvironmentFromItsPrefixAndJsonHasTheSameFacts() throws Exception {
        Prefix prefix = Prefix.create(temp.resolve("prefixes"), "web");
        prefix.writeResources(
                List.of(Environments.machine("box", "docker", "RUNNING", "c0ffee", Map.of("lan", "198.18.7.10"))));
        Owners.besideLeases(temp.resolve("leases"))
                .register(new Owner(
                        prefix.id(),
                        prefix.dir().toString(),
                        ProcessHandle.current().pid()));

        Run text = run("ls", "-D", leaseDir());
        Run json = run("ls", "--json", "-D", leaseDir());

        assertThat(text.out())
                .contains("web          " + prefix.shortId() + "  pid "
                        + ProcessHandle.current().pid() + " alive  no")
                .contains("  machine box  docker  RUNNING  lan 198.18.7.10  c0ffee");
        List<Map<String, Object>> parsed = Json.mapper().readValue(json.out(), List.class);
        assertThat(parsed).hasSize(1);
        assertThat(parsed.get(0))
                .containsEntry("name", "web")
                .containsEntry("id", prefix.id())
                .containsEntry("ownerAlive", true)
                .containsEntry("kept", false)
                .containsEntry("prefix", prefix.dir().toString());
        assertThat(parsed.get(0).get("machines").toString()).contains("providerId=c0ffee", "lan=198.18.7.10");
        assertThat(Json.mapper().convertValue(((List<?>) parsed.get(0).get("machines")).get(0), PrefixResource.class))
                .isEqualTo(Environments.machine("box", "docker", "RUNNING", "c0ffee", Map.of("lan", "198.18.7.10")));
    }

    @Test
    void commandsOnAnEnvironmentNameTheOnesThereAre() {
        Run logs = run("logs", "nosuch", "-D", leaseDir());

        assertThat(logs.status()).isEqualTo(1);
        assertThat(logs.err())
                .isEqualTo("testbed logs: no environment on this host is named 'nosuch', lives in a directory of that"
                        + " name or has an id beginning with it; there is no environment on this host (testbed ls)\n");
    }

    @Test
    void destroyRefusesAnEnvironmentARunningJvmStillUses() {
        Prefix prefix = Prefix.create(temp.resolve("prefixes"), "busy");
        Owners.besideLeases(temp.resolve("leases"))
                .register(new Owner(
                        prefix.id(),
                        prefix.dir().toString(),
                        ProcessHandle.current().pid()));

        Run destroy = run("destroy", "busy", "-D", leaseDir());

        assertThat(destroy.status()).isEqualTo(1);
        assertThat(destroy.err())
                .contains("testbed destroy: busy (id " + prefix.shortId() + ") is in use by pid "
                        + ProcessHandle.current().pid() + ", which did not keep it");
    }

    @Test
    void janitorRejectsABadDurationNamingTheForms() {
        Run janitor = run("janitor", "--older-than", "yesterday", "-D", leaseDir());

        assertThat(janitor.status()).isEqualTo(2);
        assertThat(janitor.err()).contains("'yesterday' is not a duration; write it as 90s, 30m, 2h, 1d");
    }

    @Test
    void logsPrintsTheJournalOfAPrefixGivenByItsPath() throws Exception {
        Prefix prefix = Prefix.create(temp.resolve("prefixes"), "old");
        java.nio.file.Files.writeString(
                prefix.journalFile(),
                "{\"type\":\"environment.teardown\",\"time\":\"2026-12-07T07:00:00Z\",\"environment\":\"old\"}\n"
                        + "{\"type\":\"environment.closed\",\"time\":\"2026-12-07T07:00:01Z\",\"environment\":\"old\","
                        + "\"outcome\":\"TORN_DOWN\",\"duration\":\"PT1S\",\"problems\":0}\n");
        java.nio.file.Files.writeString(prefix.consoleLog("vm"), "Linux version 6.1\nTESTBED-READY\n");

        Run logs = run("logs", prefix.dir().toString(), "-D", leaseDir());

        assertThat(logs.status()).isZero();
        assertThat(logs.out())
                .isEqualTo("==> journal of old: " + prefix.journalFile() + "\n"
                        + "2026-12-07T07:00:00Z environment.teardown\n"
                        + "2026-12-07T07:00:01Z environment.closed outcome=TORN_DOWN duration=1.0 s problems=0\n"
                        + "==> console of vm: " + prefix.consoleLog("vm") + "\n"
                        + "Linux version 6.1\nTESTBED-READY\n");
        assertThat(run("logs", "-f", "--no-console", prefix.dir().toString(), "-D", leaseDir())
                        .out())
                .endsWith("problems=0\n==> the journal of old ended\n");
        List<String> json = run("logs", "--json", prefix.dir().toString(), "-D", leaseDir())
                .out()
                .lines()
                .toList();
        assertThat(json).hasSize(2);
        assertThat(Json.mapper().readTree(json.get(1)).path("type").asText()).isEqualTo("environment.closed");
        assertThat(Json.mapper().readTree(json.get(1)).path("duration").asText())
                .isEqualTo("PT1S");
    }
}
