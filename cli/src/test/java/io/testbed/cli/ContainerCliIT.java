package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The command on a live environment of one container, provisioned in this JVM with the host-wide lease store and
 * registry: {@code ls} shows it (text and JSON) with this JVM as its live owner, {@code logs} prints its journal,
 * {@code ssh} runs commands in the container, and {@code destroy} removes it once it is kept, as a user destroys a
 * kept environment while the JVM that kept it (an IDE's) still runs — nothing of it is left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerCliIT {

    private EnvironmentHandle handle;
    private Prefix prefix;
    private boolean destroyed;

    @BeforeAll
    void provision() {
        handle = ContainerEnvironmentProvisioner.provision(
                "cli-it", Path.of("target/testbed-cli-it").toAbsolutePath());
        prefix = Prefix.open(handle.environment().prefixDir());
    }

    @AfterAll
    void tearDown() {
        if (!destroyed) {
            handle.close();
        }
    }

    @Test
    @Order(1)
    void lsShowsTheEnvironmentWithItsLiveOwnerMachineAndLeaseInTextAndJson() throws Exception {
        Cli.Run text = Cli.run("ls");
        Cli.Run json = Cli.run("ls", "--json");

        assertThat(text.status()).as(text.toString()).isZero();
        String pid = String.valueOf(ProcessHandle.current().pid());
        assertThat(text.out())
                .as(text.toString())
                .containsPattern("cli-it +" + prefix.shortId() + " +pid " + pid + " alive +no +\\S+ +" + prefix.dir())
                .containsPattern(
                        "  machine box +docker +RUNNING +lan 198\\.1[89]\\.\\d+\\.10 +tb-" + prefix.shortId() + "-box")
                .containsPattern("  network lan +docker +RUNNING +198\\.1[89]\\.\\d+\\.0/24")
                .contains("  leases 198.1");
        JsonNode mine = null;
        for (JsonNode environment : Json.mapper().readTree(json.out())) {
            if (environment.path("id").asText().equals(prefix.id())) {
                mine = environment;
            }
        }
        assertThat(mine).as(json.toString()).isNotNull();
        assertThat(mine.path("name").asText()).isEqualTo("cli-it");
        assertThat(mine.path("ownerAlive").asBoolean()).isTrue();
        assertThat(mine.path("kept").asBoolean()).isFalse();
        assertThat(mine.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(mine.path("machines").get(0).path("state").asText()).isEqualTo("RUNNING");
        assertThat(mine.path("machines").get(0).path("addresses").path("lan").asText())
                .endsWith(".10");
        assertThat(mine.path("leases")).hasSize(1);
    }

    @Test
    @Order(2)
    void logsPrintsTheJournalFromProvisioningToReadinessWithTheCommandsRun() {
        handle.environment().machine("box").runOk("echo logged-command");

        Cli.Run logs = Cli.run("logs", prefix.shortId(), "box");

        assertThat(logs.status()).as(logs.toString()).isZero();
        assertThat(logs.out())
                .as(logs.toString())
                .startsWith("==> journal of cli-it, machine box: " + prefix.journalFile())
                .contains(" machine.created machine=box provider=docker")
                .contains(" machine.ready machine=box")
                .contains(" box run exit=0 ")
                .contains("cmd=echo logged-command");
        Cli.Run all = Cli.run("logs", "--no-console", prefix.dir().toString());
        assertThat(all.out()).contains(" environment.provisioning ", " lease.taken ", " environment.ready ");
    }

    @Test
    @Order(3)
    void sshRunsACommandInTheContainerAndExitsWithItsStatus() {
        String name = Path.of(prefix.dir().toString()).getFileName().toString();

        assertThat(Cli.run("ssh", name, "box", "true").status()).isZero();
        Cli.Run hostname = Cli.run("ssh", name, "box", "cat", "/etc/hostname");
        assertThat(hostname.out()).as(hostname.toString()).isEqualTo("box\n");
        assertThat(Cli.run("ssh", name, "box", "exit 3").status()).isEqualTo(3);
        Cli.Run noSuchMachine = Cli.run("ssh", name, "web", "true");
        assertThat(noSuchMachine.status()).isEqualTo(1);
        assertThat(noSuchMachine.err()).contains("environment cli-it has no machine 'web'; its machines: [box]");
    }

    @Test
    @Order(4)
    void destroyRemovesAKeptEnvironmentCompletelyWhileItsJvmStillRuns() throws Exception {
        Files.writeString(prefix.dir().resolve(Prefix.KEPT_MARKER), "kept by ContainerCliIT");
        assertThat(Cli.dockerObjects(prefix.id())).isNotEmpty();

        Cli.Run destroy = Cli.run("destroy", prefix.shortId());
        destroyed = destroy.status() == 0;

        assertThat(destroy.status()).as(destroy.toString()).isZero();
        assertThat(destroy.out())
                .contains("removed the KEPT marker")
                .contains("removed docker container")
                .contains("removed docker network")
                .contains("released")
                .contains("destroyed cli-it (id " + prefix.shortId() + ")");
        TestbedConfig config = TestbedConfig.defaultConfig();
        assertThat(Cli.dockerObjects(prefix.id())).as("Docker objects left").isEmpty();
        assertThat(LeaseStore.fromConfiguration(config.asMap()).list())
                .noneMatch(lease -> lease.prefixId().equals(prefix.id()));
        assertThat(Owners.besideLeases(config.leaseDir()).lookup(prefix.shortId()))
                .isEmpty();
        assertThat(Cli.run("ls").out()).doesNotContain(prefix.shortId());
        assertThat(prefix.journalFile()).exists();
    }
}
