package io.testbed.examples.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.junit.ForEachMatch;
import io.testbed.junit.Host;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.SshHost;
import io.testbed.provider.ssh.HostLease;
import io.testbed.provider.ssh.HostLeaseStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Existing hosts for real: three VMs the libvirt provider starts once for this class are listed in a generated
 * inventory as existing hosts, and fixture classes that declare {@link SshHost @SshHost} run against them through
 * the Jupiter engine, leasing in the host-wide lease store as users do. The VMs differ in memory (256 MiB and
 * 128 MiB, never declared: probed over SSH) and NIC count (one or two), so matching has choices:
 *
 * <ul>
 *   <li>{@code small}: 128 MiB, one NIC (network a) — {@code big}: 256 MiB, NICs on a and b — {@code twin}: 128 MiB,
 *       NICs on a and b;</li>
 *   <li>a second inventory adds a host that is down ({@code gone}, an address nobody has) and one whose pinned host
 *       key is another host's ({@code liar}).</li>
 * </ul>
 */
class ExistingHostsOnVmsIT {

    @TempDir
    static Path dir;

    static EnvironmentHandle vms;
    static Path good;
    static Path bad;
    static TestbedConfig config = TestbedConfig.fromSystemProperties();

    private final Map<String, String> parameters = new LinkedHashMap<>();

    @BeforeAll
    static void startTheVmsAndListThemInInventories() throws IOException {
        EnvironmentSpec spec = new EnvironmentSpec(
                "ssh-vms",
                List.of(NetworkSpec.leased("a"), NetworkSpec.leased("b")),
                List.of(vm("small", 128, "a"), vm("big", 256, "a", "b"), vm("twin", 128, "a", "b")));
        vms = Engine.create(config).provision(spec, event -> {});
        Environment environment = vms.environment();
        Path key = io.testbed.core.prefix.Prefix.open(environment.prefixDir()).keyFile();
        String gateway = environment.network("a").gateway().getHostAddress();
        String unused = gateway.substring(0, gateway.lastIndexOf('.')) + ".250";
        good = Files.writeString(
                dir.resolve("good.yaml"),
                "hosts:\n" + host("small", "small", "small", key) + host("big", "big", "big", key)
                        + host("twin", "twin", "twin", key));
        bad = Files.writeString(
                dir.resolve("bad.yaml"),
                "hosts:\n" + host("small", "small", "small", key)
                        + entry("gone", unused, hostKey("small"), key, List.of("eth0 net-a"))
                        + host("liar", "small", "big", key));
    }

    private static MachineSpec vm(String name, int memoryMb, String... networks) {
        return new MachineSpec(name, "libvirt", "tiny", 1, memoryMb, List.of(networks), List.of(), Set.of(), Map.of());
    }

    /** Inventory entry {@code name} at the address of VM {@code at}, pinning the host key of VM {@code keyOf}. */
    private static String host(String name, String at, String keyOf, Path key) throws IOException {
        Machine machine = vms.environment().machine(at);
        List<String> nics = new ArrayList<>(List.of("eth0 net-a"));
        if (!at.equals("small")) {
            nics.add("eth1 net-b");
        }
        return entry(name, machine.address("a").getHostAddress(), hostKey(keyOf), key, nics);
    }

    private static String hostKey(String vm) throws IOException {
        return Files.readString(vms.environment().prefixDir().resolve("keys/" + vm + "-host_ed25519.pub"))
                .strip();
    }

    private static String entry(String name, String address, String hostKey, Path key, List<String> nics) {
        return "  - name: " + name + "\n    address: " + address + "\n    user: root\n    private_key: " + key
                + "\n    host_key: " + hostKey + "\n    nics:\n"
                + nics.stream()
                        .map(nic -> "      - {name: " + nic.split(" ")[0] + ", network: " + nic.split(" ")[1] + "}\n")
                        .collect(Collectors.joining());
    }

    @AfterAll
    static void stopTheVms() {
        if (vms != null) {
            vms.close();
        }
    }

    @BeforeEach
    void parameters() {
        parameters.put(TestbedConfig.SSH_INVENTORY, good.toString());
        parameters.put(TestbedConfig.REPORT_ENABLED, "false");
        Seen.VALUES.clear();
    }

    private EngineExecutionResults run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(parameters)
                .selectors(DiscoverySelectors.selectClass(fixture))
                .execute();
    }

    /** Every failure's message with its causes', one per line. */
    private static String failures(EngineExecutionResults results) {
        List<String> lines = new ArrayList<>();
        results.allEvents().failed().stream()
                .map(e -> e.getRequiredPayload(TestExecutionResult.class)
                        .getThrowable()
                        .orElseThrow())
                .forEach(thrown -> {
                    for (Throwable t = thrown; t != null; t = t.getCause()) {
                        lines.add(String.valueOf(t.getMessage()));
                    }
                });
        return String.join("\n", lines);
    }

    static final class Seen {
        static final List<String> VALUES = Collections.synchronizedList(new ArrayList<>());
    }

    // --- matching by probed memory, listed NICs and a shared segment

    @Prefix(revert = Revert.NEVER)
    @SshHost(name = "server", requires = "memory >= 200 MiB", segments = "b")
    @SshHost(name = "client", requires = "nics >= 2", segments = "b")
    static class Pair {
        @Test
        void theClientReachesTheServerOnTheirSharedSegment(
                @Host("server") Machine server, @Host("client") Machine client) {
            Seen.VALUES.add("server=" + server.run("hostname").stdout().strip());
            Seen.VALUES.add("client=" + client.run("hostname").stdout().strip());
            assertThat(client.run("ping -c 1 -W 5 " + server.address("b").getHostAddress())
                            .exitCode())
                    .isZero();
        }
    }

    @Test
    void matchesByProbedMemoryListedNicsAndASharedSegment() {
        EngineExecutionResults results = run(Pair.class);
        assertThat(failures(results)).isEmpty();
        results.testEvents().assertStatistics(stats -> stats.succeeded(1));
        // only big has 200 MiB; of the two-NIC hosts only twin is left for the client
        assertThat(Seen.VALUES).containsExactly("server=big", "client=twin");
        assertNoLeaseOf("small", "big", "twin");
    }

    // --- multi-match: one run per distinct match, named after it

    @ForEachMatch
    @Prefix(revert = Revert.NEVER)
    @SshHost(name = "server", requires = "memory >= 64 MiB")
    static class EachHost {
        @Test
        void runsOnItsHost(@Host("server") Machine server) {
            Seen.VALUES.add(server.run("hostname").stdout().strip());
        }
    }

    @Test
    void runsAClassOncePerMatchEachRunNamedAfterItsMapping() {
        EngineExecutionResults results = run(EachHost.class);
        assertThat(failures(results)).isEmpty();
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(1, event(container(displayName("[1] server=small")), finishedSuccessfully()))
                .haveExactly(1, event(container(displayName("[2] server=big")), finishedSuccessfully()))
                .haveExactly(1, event(container(displayName("[3] server=twin")), finishedSuccessfully()));
        assertThat(Seen.VALUES).containsExactly("small", "big", "twin");
        assertNoLeaseOf("small", "big", "twin");
    }

    // --- two JVMs competing for one host

    @Prefix(revert = Revert.NEVER)
    @SshHost(name = "server", requires = "memory >= 200 MiB")
    static class OnlyBig {
        @Test
        void getsBig(@Host("server") Machine server) {
            Seen.VALUES.add(server.run("hostname").stdout().strip());
        }
    }

    @Test
    void aHostHeldByAnotherJvmIsWaitedForThenNamedWithItsHolderOrHadOnceReleased() throws Exception {
        Process holder = holdInAnotherJvm("big");
        try {
            long holderPid = holder.pid();
            parameters.put(TestbedConfig.SSH_LEASE_TIMEOUT, "3");
            assertThat(failures(run(OnlyBig.class)))
                    .contains("Timed out after 3000 ms waiting for hosts for server")
                    .contains("big held by prefix")
                    .contains("pid " + holderPid);

            parameters.put(TestbedConfig.SSH_LEASE_TIMEOUT, "300");
            CompletableFuture<EngineExecutionResults> waiting = CompletableFuture.supplyAsync(() -> run(OnlyBig.class));
            Thread.sleep(3000);
            assertThat(waiting).as("still waiting for the lease").isNotDone();
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // its lease is now stale: reclaimed
            EngineExecutionResults results = waiting.get(5, TimeUnit.MINUTES);
            assertThat(failures(results)).isEmpty();
            assertThat(Seen.VALUES).containsExactly("big");
        } finally {
            holder.destroyForcibly();
        }
        assertNoLeaseOf("big");
    }

    private static Process holdInAnotherJvm(String host) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HostHolder.class.getName(),
                        config.leaseDir().toString(),
                        dir.resolve("holder-prefixes").toString(),
                        host)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the holder's first line").isEqualTo("HELD " + process.pid());
        return process;
    }

    // --- a host that is down, a wrong host key

    @Prefix(revert = Revert.NEVER)
    @SshHost(name = "fine", requires = "hostname = small")
    @SshHost(name = "ghost", requires = "hostname = gone")
    static class OneDown {
        @Test
        void never() {
            Seen.VALUES.add("ran");
        }
    }

    @Test
    void aHostThatIsDownIsNamedAndTheOthersAreReleased() {
        parameters.put(TestbedConfig.SSH_INVENTORY, bad.toString());
        parameters.put(TestbedConfig.SSH_CONNECT_TIMEOUT, "5");
        assertThat(failures(run(OneDown.class)))
                .contains("machine 'ghost': inventory host gone (root@")
                .contains("did not answer SSH within 5 s (testbed.ssh.connect.timeout)");
        assertThat(Seen.VALUES).isEmpty();
        assertNoLeaseOf("small", "gone");
    }

    @Prefix(revert = Revert.NEVER)
    @SshHost(name = "server", requires = "hostname = liar")
    static class WrongKey {
        @Test
        void never() {
            Seen.VALUES.add("ran");
        }
    }

    @Test
    void aHostPresentingAnotherHostKeyIsRefused() {
        parameters.put(TestbedConfig.SSH_INVENTORY, bad.toString());
        assertThat(failures(run(WrongKey.class)))
                .contains("machine 'server': inventory host liar (root@")
                .contains("presented another host key than the inventory pins; refusing to log in");
        assertThat(Seen.VALUES).isEmpty();
        assertNoLeaseOf("liar");
    }

    private static void assertNoLeaseOf(String... hosts) {
        List<HostLease> held = HostLeaseStore.besideSubnetLeases(config.leaseDir()).list().stream()
                .filter(lease -> List.of(hosts).contains(lease.host()))
                .toList();
        assertThat(held).as("leases of %s", List.of(hosts)).isEmpty();
    }
}
