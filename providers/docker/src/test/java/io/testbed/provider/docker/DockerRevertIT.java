package io.testbed.provider.docker;

import static io.testbed.provider.docker.DockerTestSupport.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.NetworkSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Commit-based snapshots and recreate-based reverts of two containers, through the engine's environment API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerRevertIT {

    @TempDir
    static Path temp;

    private EnvironmentHandle handle;
    private Environment environment;
    private Machine web;
    private Machine db;
    private String profile;
    private String webMac;

    @BeforeAll
    void provision() {
        handle = DockerTestSupport.engine(temp)
                .provision(
                        new EnvironmentSpec(
                                "revert",
                                List.of(NetworkSpec.leased("lan")),
                                List.of(container("web", "lan"), container("db", "lan"))),
                        event -> {});
        environment = handle.environment();
        web = environment.machine("web");
        db = environment.machine("db");
        profile = web.run("cat /etc/profile", RunOptions.expectSuccess()).stdout();
        webMac = web.run("cat /sys/class/net/eth0/address", RunOptions.expectSuccess())
                .stdout();
    }

    @AfterAll
    void tearDown() {
        if (handle != null) {
            String prefixId = Prefix.open(environment.prefixDir()).id();
            handle.close();
            assertThat(DockerTestSupport.leftovers(temp, prefixId))
                    .as("containers, networks and snapshot images left")
                    .isEmpty();
        }
    }

    @Test
    @Order(1)
    void revertRestoresFilesFiveTimesInARow() {
        List<Long> millis = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            web.run(
                    "echo round-" + round + " > /root/state && rm /etc/profile && mkdir -p /opt/junk",
                    RunOptions.expectSuccess());
            db.run("echo round-" + round + " > /etc/motd", RunOptions.expectSuccess());

            long start = System.nanoTime();
            environment.revert(Environment.BASELINE);
            millis.add((System.nanoTime() - start) / 1_000_000);

            assertThat(web.run("test -e /root/state").exitCode())
                    .as("round %d: /root/state", round)
                    .isNotZero();
            assertThat(web.run("test -e /opt/junk").exitCode())
                    .as("round %d: /opt/junk", round)
                    .isNotZero();
            assertThat(web.run("cat /etc/profile", RunOptions.expectSuccess()).stdout())
                    .isEqualTo(profile);
            assertThat(db.run("test -e /etc/motd").exitCode())
                    .as("round %d: /etc/motd", round)
                    .isNotZero();
            assertThat(web.run("cat /sys/class/net/eth0/address").stdout()).isEqualTo(webMac);
            web.run("ping -c1 -W2 " + db.address("lan").getHostAddress(), RunOptions.expectSuccess());
        }
        System.out.println("[measure] docker revert of 2 containers (environment.revert, parallel), ms: " + millis);
    }

    @Test
    @Order(2)
    void processesDoNotSurviveARevert() {
        web.start("sleep 1234");
        assertThat(web.run("ps -o args | grep -c '^sleep 1234$'").stdout().strip())
                .isEqualTo("1");
        environment.revert(Environment.BASELINE);
        assertThat(web.run("ps -o args | grep -c '^sleep 1234$'").stdout().strip())
                .isEqualTo("0");
    }

    @Test
    @Order(3)
    void aNamedSnapshotIsRevertedToAndTheBaselineStillWorks() {
        web.run("echo configured > /root/config", RunOptions.expectSuccess());
        environment.snapshot("configured");
        web.run("echo broken > /root/config", RunOptions.expectSuccess());

        environment.revert("configured");
        assertThat(web.run("cat /root/config").stdout()).isEqualTo("configured\n");

        environment.revert(Environment.BASELINE);
        assertThat(web.run("test -e /root/config").exitCode()).isNotZero();

        environment.snapshot("configured");
        environment.revert("configured");
        assertThat(web.run("test -e /root/config").exitCode())
                .as("retaken snapshot")
                .isNotZero();

        environment.deleteSnapshot("configured");
        assertThatThrownBy(() -> environment.revert("configured")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Order(4)
    void aPausedContainerRunsNothingUntilResumedAndARevertResumesIt() {
        environment.pause("web");
        assertThatThrownBy(() -> web.run("true")).hasMessageContaining("paused");
        environment.resume("web");
        web.run("true", RunOptions.expectSuccess());

        environment.pause("db");
        environment.revert(Environment.BASELINE);
        db.run("true", RunOptions.expectSuccess());
    }
}
