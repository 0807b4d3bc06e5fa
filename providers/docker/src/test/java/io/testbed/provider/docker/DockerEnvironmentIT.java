package io.testbed.provider.docker;

import static io.testbed.provider.docker.DockerTestSupport.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import inet.ipaddr.IPAddressString;
import io.testbed.core.CommandFailedException;
import io.testbed.core.CommandTimeoutException;
import io.testbed.core.Environment;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestNetwork;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.ContainerOptions;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spec.NetworkSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One environment of two tiny containers on an isolated leased network and one on a second (NAT) network, driven
 * through the engine: addresses, MACs, bridge names, the machine API over Docker exec, and teardown.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerEnvironmentIT {

    @TempDir
    static Path temp;

    private EnvironmentHandle handle;
    private Environment environment;
    private Machine web;
    private Machine db;

    @BeforeAll
    void provision() {
        Engine engine = DockerTestSupport.engine(temp);
        EnvironmentSpec spec = new EnvironmentSpec(
                "dockerenv",
                List.of(NetworkSpec.leased("lan"), new NetworkSpec("wan", NetworkMode.NAT, Optional.empty(), true, 0)),
                List.of(
                        container("web", "lan", "wan"),
                        new MachineSpec(
                                "db",
                                DockerProvider.NAME,
                                "",
                                64,
                                96,
                                List.of("lan"),
                                List.of(),
                                Set.of("backend"),
                                Map.of("tier", "data"),
                                ContainerOptions.defaults().withEnv("GREETING", "hi there"))));
        handle = engine.provision(spec, event -> {});
        environment = handle.environment();
        web = environment.machine("web");
        db = environment.machine("db");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (handle != null) {
            String prefixId = Prefix.open(environment.prefixDir()).id();
            handle.close();
            assertThat(DockerTestSupport.leftovers(temp, prefixId))
                    .as("objects left after close")
                    .isEmpty();
            assertJournaled(environment.prefixDir().resolve("journal.jsonl"));
        }
    }

    /** The provider's steps and every command are in the typed journal, secrets are not, and it is complete. */
    private static void assertJournaled(Path file) throws Exception {
        JournalReader.Contents journal = JournalReader.read(file);
        assertThat(journal.complete()).isTrue();
        assertThat(journal.unknownTypes()).isZero();
        assertThat(journal.of(ResourceEvent.MachineReady.class))
                .extracting(ResourceEvent.MachineReady::machine)
                .containsExactlyInAnyOrder("web", "db");
        assertThat(journal.of(ResourceEvent.NetworkCreated.class))
                .extracting(ResourceEvent.NetworkCreated::provider)
                .containsOnly(DockerProvider.NAME);
        assertThat(journal.of(CommandEvent.CommandRun.class))
                .anySatisfy(run -> {
                    assertThat(run.machine()).isEqualTo("web");
                    assertThat(run.command()).isEqualTo("hostname");
                    assertThat(run.exitCode()).isZero();
                })
                .anySatisfy(run -> {
                    assertThat(run.command()).isEqualTo("sleep 302; echo never");
                    assertThat(run.outcome()).isEqualTo(CommandEvent.Outcome.TIMED_OUT);
                    assertThat(run.envNames()).containsExactly("MODE");
                })
                .anySatisfy(run -> assertThat(run.purpose()).isEqualTo(CommandEvent.Purpose.KILL));
        assertThat(journal.of(CommandEvent.SettingChanged.class))
                .singleElement()
                .satisfies(changed -> assertThat(changed.setting()).isEqualTo("sysctl net.ipv4.ip_forward"));
        assertThat(journal.of(CommandEvent.SettingRestored.class))
                .singleElement()
                .satisfies(restored -> assertThat(restored.error()).isNull());
        assertThat(journal.of(CommandEvent.FileCopied.class))
                .anySatisfy(copy -> assertThat(copy.error()).contains("is a directory"));
        // environment values may be secrets: only their names are journaled; this one shows once, as the output the
        // test itself echoed
        assertThat(journal.of(CommandEvent.CommandRun.class))
                .filteredOn(run -> run.envNames().contains("SECRET_VALUE"))
                .singleElement()
                .satisfies(run -> assertThat(run.stdout()).contains("s3cr3t"));
        assertThat(Files.readString(file).split("s3cr3t", -1)).hasSize(2);
    }

    @Test
    void containersPingEachOtherByAddressOnTheLeasedNetwork() {
        TestNetwork lan = environment.network("lan");
        assertThat(new IPAddressString("198.18.0.0/15")
                        .getAddress()
                        .contains(new IPAddressString(lan.cidr()).getAddress()))
                .as(lan.cidr())
                .isTrue();

        web.run("ping -c1 -W2 " + db.address(lan).getHostAddress(), RunOptions.expectSuccess());
        db.run("ping -c1 -W2 " + web.address(lan).getHostAddress(), RunOptions.expectSuccess());
        assertThat(db.address(lan).getHostAddress()).endsWith(".11");
        assertThat(web.address("wan").getHostAddress()).endsWith(".10");
    }

    @Test
    void interfacesHaveThePlannedMacsAndTheHostBridgesThePlannedNames() throws Exception {
        List<JsonNode> nics = plannedNics("web");
        assertThat(nics).hasSize(2);
        for (JsonNode nic : nics) {
            String address = address(nic);
            String mac = web.run(
                            "for d in /sys/class/net/*; do ip -4 -o addr show dev ${d##*/} | grep -q ' " + address
                                    + "/' && cat $d/address; done; true",
                            RunOptions.expectSuccess())
                    .stdout()
                    .strip();
            assertThat(mac)
                    .as("MAC of the interface holding " + address)
                    .isEqualTo(nic.get("mac").asText());
            assertThat(Path.of("/sys/class/net", nic.get("bridge").asText(), "bridge"))
                    .as("host bridge of " + nic.get("network").asText())
                    .isDirectory();
        }
        assertThat(environment.network("lan").bridge())
                .isEqualTo(nics.get(0).get("bridge").asText());
        assertThat(web.run("hostname").stdout().strip()).isEqualTo("web");
    }

    private static String address(JsonNode nic) {
        return nic.get("address").asText().replaceFirst("^.*/", "");
    }

    @Test
    void theHostReachesAContainerServiceAndWaitForPortSeesIt() {
        Job server = web.start("while :; do echo hello | nc -l -p 7777; done");
        try {
            web.waitForPort(7777, Duration.ofSeconds(10));
            ExecResult fetched = db.run(
                    "nc " + web.address("lan").getHostAddress() + " 7777 </dev/null",
                    RunOptions.builder().timeout(Duration.ofSeconds(10)).build());
            assertThat(fetched.stdout()).contains("hello");
        } finally {
            server.kill();
        }
        assertThat(web.run("ps -o pid,args | grep -c '[n]c -l -p 7777'")
                        .stdout()
                        .strip())
                .isEqualTo("0");
    }

    @Test
    void aTimedOutCommandIsKilledWithItsChildren() {
        assertThatThrownBy(() -> web.run(
                        "sleep 300 & sleep 301; echo never",
                        RunOptions.builder().timeout(Duration.ofSeconds(1)).build()))
                .isInstanceOf(CommandTimeoutException.class);
        assertThat(web.run("ps -o args | grep -c '^sleep 30[01]$'").stdout().strip())
                .isEqualTo("0");
    }

    @Test
    void aTimedOutCommandWithEnvironmentIsKilledToo() {
        assertThatThrownBy(() -> web.run(
                        "sleep 302; echo never",
                        RunOptions.builder()
                                .timeout(Duration.ofSeconds(1))
                                .env("MODE", "slow")
                                .build()))
                .isInstanceOf(CommandTimeoutException.class);
        assertThat(web.run("ps -o args | grep -c '^sleep 302$'").stdout().strip())
                .isEqualTo("0");
    }

    @Test
    void isolatedNetworksAreInternalNatNetworksAreNotAndBothCarryThePlannedBridgeName() {
        for (TestNetwork network : environment.networks()) {
            com.github.dockerjava.api.model.Network docker = DockerTestSupport.docker()
                    .listNetworksCmd()
                    .withNameFilter("tb-" + Prefix.open(environment.prefixDir()).shortId() + "-" + network.name())
                    .exec()
                    .get(0);
            assertThat(docker.getInternal())
                    .as(network.name())
                    .isEqualTo(network.name().equals("lan"));
            assertThat(docker.getOptions()).containsEntry(DockerNetwork.BRIDGE_NAME_OPTION, network.bridge());
            assertThat(docker.getIpam().getConfig().get(0).getSubnet()).isEqualTo(network.cidr());
            assertThat(docker.getIpam().getConfig().get(0).getGateway())
                    .isEqualTo(network.gateway().getHostAddress());
            assertThat(docker.getLabels())
                    .containsEntry(Labels.NETWORK, network.name())
                    .containsKeys(Labels.PREFIX_ID, Labels.PREFIX_PATH, Labels.PID);
        }
    }

    @Test
    void specLimitsEnvironmentAndRolesReachTheContainer() {
        var inspect = DockerTestSupport.docker()
                .inspectContainerCmd(
                        "tb-" + Prefix.open(environment.prefixDir()).shortId() + "-db")
                .exec();
        int hostCpus = DockerTestSupport.docker().infoCmd().exec().getNCPU();
        assertThat(inspect.getHostConfig().getNanoCPUs())
                .as("64 CPUs capped at the host's")
                .isEqualTo(Math.min(64, hostCpus) * 1_000_000_000L);
        assertThat(inspect.getHostConfig().getMemory()).isEqualTo(96L << 20);
        assertThat(db.run("echo \"$GREETING\"").stdout()).isEqualTo("hi there\n");
        assertThat(db.roles()).containsExactly("backend");
        assertThat(db.properties()).as("container options are no properties").containsOnly(Map.entry("tier", "data"));
    }

    @Test
    void expectedFailuresPassAndUnexpectedOnesThrow() {
        assertThat(web.run("exit 3", RunOptions.expectFailure()).exitCode()).isEqualTo(3);
        assertThatThrownBy(() -> web.run("true", RunOptions.expectFailure()))
                .isInstanceOf(CommandFailedException.class);
        assertThatThrownBy(() -> web.run("echo oops >&2; exit 4", RunOptions.expectSuccess()))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("oops");
    }

    @Test
    void standardOutputAndErrorStayApartAndEnvironmentArrivesWithoutAppearingInTheCommand() {
        ExecResult result = web.run(
                "echo out; echo err >&2; echo \"$SECRET_VALUE\"; cat",
                RunOptions.builder().env("SECRET_VALUE", "s3cr3t 'quoted'").build());
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo("out\ns3cr3t 'quoted'\n");
        assertThat(result.stderr()).isEqualTo("err\n");
    }

    @Test
    void aCommandWithoutInputSeesEndOfFileAtOnce() {
        assertThat(web.run(
                                "cat; echo done",
                                RunOptions.builder()
                                        .timeout(Duration.ofSeconds(10))
                                        .build())
                        .stdout())
                .isEqualTo("done\n");
    }

    @Test
    void filesRoundTripWithTheirModeAndMissingPathsAreClearErrors() throws Exception {
        Path local = temp.resolve("script.sh");
        Files.writeString(local, "#!/bin/sh\necho uploaded\n");
        Files.setPosixFilePermissions(local, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        web.upload(local, "/tmp/script.sh");
        assertThat(web.run("/tmp/script.sh; stat -c %a /tmp/script.sh", RunOptions.expectSuccess())
                        .stdout())
                .isEqualTo("uploaded\n750\n");

        Path back = temp.resolve("back.sh");
        web.download("/tmp/script.sh", back);
        assertThat(Files.readString(back)).isEqualTo("#!/bin/sh\necho uploaded\n");
        web.download("/etc/hostname", temp.resolve("hostname"));
        assertThat(Files.readString(temp.resolve("hostname"), StandardCharsets.UTF_8)
                        .strip())
                .isEqualTo("web");

        assertThatThrownBy(() -> web.upload(local, "/no/such/dir/x")).hasMessageContaining("/no/such/dir");
        assertThatThrownBy(() -> web.download("/no/such/file", temp.resolve("x")))
                .hasMessageContaining("/no/such/file");
        assertThatThrownBy(() -> web.download("/etc", temp.resolve("x"))).hasMessageContaining("is a directory");
    }

    @Test
    void networkSysctlsCanBeChangedAndAreRestoredButGlobalOnesStayReadOnly() {
        String before = web.run("cat /proc/sys/net/ipv4/ip_forward").stdout().strip();
        String changed = before.equals("1") ? "0" : "1";
        web.setSysctl("net.ipv4.ip_forward", changed);
        assertThat(web.run("cat /proc/sys/net/ipv4/ip_forward").stdout().strip())
                .isEqualTo(changed);
        handle.resetMachines();
        assertThat(web.run("cat /proc/sys/net/ipv4/ip_forward").stdout().strip())
                .isEqualTo(before);
        assertThat(web.run("echo 60 > /proc/sys/vm/swappiness").exitCode()).isNotZero();
    }

    @Test
    void trafficControlWorksWithTheDefaultNetAdminCapability() {
        web.run("tc qdisc add dev eth0 root tbf rate 10mbit burst 32kbit latency 50ms", RunOptions.expectSuccess());
        assertThat(web.run("tc qdisc show dev eth0").stdout()).contains("tbf");
        web.run("tc qdisc del dev eth0 root", RunOptions.expectSuccess());
    }

    /** The NICs of {@code machine} as planned (plan.json in the prefix): network, bridge, mac, address. */
    private List<JsonNode> plannedNics(String machine) throws Exception {
        JsonNode plan = new ObjectMapper()
                .readTree(environment.prefixDir().resolve("plan.json").toFile());
        for (JsonNode node : plan.get("machines")) {
            if (node.get("spec").get("name").asText().equals(machine)) {
                List<JsonNode> nics = new java.util.ArrayList<>();
                node.get("nics").forEach(nics::add);
                return nics;
            }
        }
        throw new AssertionError("no machine " + machine + " in plan.json: " + plan);
    }
}
