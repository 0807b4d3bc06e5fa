package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.ssh.SshKeys;
import io.testbed.core.ssh.SshTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Setting changes and their restoration on a real machine that is NOT the host: a network namespace this test
 * creates, with a veth pair to the host in 198.19.253.0/24 and its own sshd. Kernel settings under
 * {@code net.} are per namespace, so the host's own values must never change; the test checks that too.
 */
class SettingsRestoreIT {

    private static final Path HOST_IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    private static final Path HOST_DEFAULT_TTL = Path.of("/proc/sys/net/ipv4/ip_default_ttl");

    @TempDir
    static Path dir;

    private static String namespace;
    private static String hostSide;
    private static String namespaceSide;
    private static String namespaceAddress;
    private static Process sshd;
    private static TransportMachine machine;
    private static String hostIpForward;
    private static String hostDefaultTtl;

    @BeforeAll
    static void createNamespaceWithSshd() throws Exception {
        assertThat(ProcessHandle.current().info().user().orElse(""))
                .as("this test must run as root")
                .isEqualTo("root");
        hostIpForward = Files.readString(HOST_IP_FORWARD);
        hostDefaultTtl = Files.readString(HOST_DEFAULT_TTL);
        String id = HexFormat.of()
                .toHexDigits(ThreadLocalRandom.current().nextInt())
                .substring(2);
        namespace = "tb-it-" + id;
        hostSide = "tbh" + id;
        namespaceSide = "tbn" + id;
        int base = freeSlash30();
        String hostAddress = "198.19.253." + (base + 1);
        namespaceAddress = "198.19.253." + (base + 2);
        try {
            host("ip", "netns", "add", namespace);
            host("ip", "link", "add", hostSide, "type", "veth", "peer", "name", namespaceSide, "netns", namespace);
            host("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
            host("ip", "link", "set", hostSide, "up");
            host("ip", "netns", "exec", namespace, "ip", "addr", "add", namespaceAddress + "/30", "dev", namespaceSide);
            host("ip", "netns", "exec", namespace, "ip", "link", "set", namespaceSide, "up");
            host("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");

            SshKeys.KeyFiles hostKey = SshKeys.generate(dir.resolve("ssh_host_ed25519_key"), "tb-it-host");
            SshKeys.KeyFiles clientKey = SshKeys.generate(dir.resolve("id_ed25519"), "tb-it-root");
            Files.writeString(dir.resolve("authorized_keys"), clientKey.publicLine() + "\n");
            Path config = dir.resolve("sshd_config");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "ListenAddress " + namespaceAddress,
                            "Port 22",
                            "HostKey " + hostKey.privateKey(),
                            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                            "PermitRootLogin prohibit-password",
                            "PubkeyAuthentication yes",
                            "PasswordAuthentication no",
                            "KbdInteractiveAuthentication no",
                            "UsePAM no",
                            "StrictModes no",
                            "AllowTcpForwarding no",
                            "X11Forwarding no",
                            "PidFile " + dir.resolve("sshd.pid"),
                            "Subsystem sftp internal-sftp",
                            ""));
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
            sshd = new ProcessBuilder(
                            "ip", "netns", "exec", namespace, "/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sshd.log").toFile())
                    .start();

            SshTransport transport = SshTransport.builder()
                    .host(namespaceAddress)
                    .port(22)
                    .user("root")
                    .privateKey(clientKey.privateKey())
                    .hostKey(hostKey.publicLine())
                    .build();
            machine = TransportMachine.builder("netns", transport)
                    .address("veth", InetAddress.getByName(namespaceAddress))
                    .journal(journalWithCommandLog(dir.resolve("logs/commands.log")))
                    .build();
            try {
                transport.awaitReady(Duration.ofSeconds(20));
            } catch (TestbedException e) {
                throw new AssertionError(
                        "sshd in " + namespace + " did not answer; its log:\n"
                                + Files.readString(dir.resolve("sshd.log")),
                        e);
            }
        } catch (Exception | AssertionError e) {
            cleanUp();
            throw e;
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        List<String> problems = new ArrayList<>();
        if (machine != null) {
            try {
                machine.close();
            } catch (RuntimeException e) {
                problems.add("close machine: " + e);
            }
            machine = null;
        }
        if (sshd != null) {
            sshd.destroy();
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            sshd = null;
        }
        if (namespace != null) {
            // Per-connection sshd children still in the namespace (all started by this test).
            String pids = hostOutput("ip", "netns", "pids", namespace);
            for (String pid : pids.split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            try {
                host("ip", "netns", "del", namespace);
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        if (hostSide != null) {
            // Deleting the namespace removes the veth pair, but asynchronously: wait for it before deleting by hand.
            for (int i = 0; i < 50 && linkExists(hostSide); i++) {
                Thread.sleep(100);
            }
            if (linkExists(hostSide)) {
                Result result = exec("ip", "link", "del", hostSide);
                if (result.status != 0 && linkExists(hostSide)) {
                    problems.add("ip link del " + hostSide + " exited " + result.status + ": " + result.output);
                }
            }
        }
        String links = hostOutput("ip", "-o", "link", "show");
        String namespaces = hostOutput("ip", "netns", "list");
        assertThat(problems).as("clean-up problems").isEmpty();
        if (namespace != null) {
            assertThat(namespaces).as("namespaces after clean-up").doesNotContain(namespace);
            assertThat(links).as("links after clean-up").doesNotContain(hostSide);
        }
        namespace = null;
    }

    @Test
    void restoresChangedSettingsNewestFirstAndNeverTouchesTheHost() throws Exception {
        long restoresBefore = logLines("restore");
        String forward = read("/proc/sys/net/ipv4/ip_forward");
        String allForwarding = read("/proc/sys/net/ipv4/conf/all/forwarding");
        String ttl = read("/proc/sys/net/ipv4/ip_default_ttl");
        String mtu = read("/sys/class/net/" + namespaceSide + "/mtu");
        String flipped = forward.equals("1") ? "0" : "1";

        machine.setSysctl("net.ipv4.ip_forward", flipped);
        // conf/all/forwarding mirrors ip_forward: flipping it back records the flipped value, so only a
        // newest-first restore ends with the original of both.
        machine.writeSysfs("/proc/sys/net/ipv4/conf/all/forwarding", forward);
        machine.setSysctl("net.ipv4.ip_default_ttl", "100");
        machine.setSysctl("net.ipv4.ip_default_ttl", "123");
        machine.writeSysfs("/sys/class/net/" + namespaceSide + "/mtu", "1400");

        assertThat(read("/proc/sys/net/ipv4/ip_default_ttl")).isEqualTo("123");
        assertThat(read("/sys/class/net/" + namespaceSide + "/mtu")).isEqualTo("1400");
        assertThat(read("/proc/sys/net/ipv4/ip_forward")).isEqualTo(forward);
        assertHostUntouched();

        machine.restoreSettings();

        assertThat(read("/proc/sys/net/ipv4/ip_forward")).isEqualTo(forward);
        assertThat(read("/proc/sys/net/ipv4/conf/all/forwarding")).isEqualTo(allForwarding);
        assertThat(read("/proc/sys/net/ipv4/ip_default_ttl")).isEqualTo(ttl);
        assertThat(read("/sys/class/net/" + namespaceSide + "/mtu")).isEqualTo(mtu);
        assertHostUntouched();

        assertThat(logLines("restore")).isEqualTo(restoresBefore + 5);
        machine.restoreSettings(); // idempotent: nothing left to restore
        assertThat(logLines("restore")).isEqualTo(restoresBefore + 5);
    }

    @Test
    void keepsTheChangeVisibleUntilRestoredAndTheHostUnchanged() throws Exception {
        String forward = read("/proc/sys/net/ipv4/ip_forward");
        String flipped = forward.equals("1") ? "0" : "1";
        machine.setSysctl("net.ipv4.ip_forward", flipped);
        try {
            assertThat(read("/proc/sys/net/ipv4/ip_forward")).isEqualTo(flipped);
            assertHostUntouched();
        } finally {
            machine.restoreSettings();
        }
        assertThat(read("/proc/sys/net/ipv4/ip_forward")).isEqualTo(forward);
    }

    @Test
    void recordsNothingWhenAWriteFails() throws IOException {
        assertThatThrownBy(() -> machine.setSysctl("net.ipv4.no_such_setting", "1"))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("Cannot set sysctl net.ipv4.no_such_setting to '1' on machine 'netns'")
                .hasMessageContaining("/proc/sys/net/ipv4/no_such_setting");
        assertThatThrownBy(() -> machine.writeSysfs("/etc/hostname", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/etc/hostname");
        assertThatThrownBy(() -> machine.setSysctl("net..ipv4", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("net..ipv4");
        long before = logLines("restore");
        machine.restoreSettings();
        assertThat(logLines("restore")).isEqualTo(before);
    }

    private static void assertHostUntouched() throws IOException {
        assertThat(Files.readString(HOST_IP_FORWARD))
                .as("host's own ip_forward")
                .isEqualTo(hostIpForward);
        assertThat(Files.readString(HOST_DEFAULT_TTL))
                .as("host's own ip_default_ttl")
                .isEqualTo(hostDefaultTtl);
    }

    private static String read(String path) {
        return machine.run("cat " + path, RunOptions.expectSuccess()).stdout().strip();
    }

    private static long logLines(String kind) throws IOException {
        return Files.readAllLines(dir.resolve("logs/commands.log")).stream()
                .filter(line -> line.contains(" netns " + kind + " "))
                .count();
    }

    private static boolean linkExists(String name) {
        return exec("ip", "link", "show", "dev", name).status == 0;
    }

    /** A random /30 of 198.19.253.0/24 that no host interface uses yet. */
    private static int freeSlash30() {
        String used = hostOutput("ip", "-o", "-4", "addr", "show");
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 4 * ThreadLocalRandom.current().nextInt(64);
            boolean taken = false;
            for (int i = 0; i < 4; i++) {
                taken |= used.contains(" 198.19.253." + (base + i) + "/");
            }
            if (!taken) {
                return base;
            }
        }
        throw new AssertionError("no free /30 left in 198.19.253.0/24 on this host:\n" + used);
    }

    private static void host(String... command) {
        Result result = exec(command);
        if (result.status != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.status + ": " + result.output);
        }
    }

    private static String hostOutput(String... command) {
        return exec(command).output;
    }

    private record Result(int status, String output) {}

    private static Result exec(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", command), e);
        }
    }

    /** A journal without a file whose command events are rendered to the text command log at {@code log}. */
    static io.testbed.core.journal.Journal journalWithCommandLog(Path log) {
        io.testbed.core.journal.Journal journal = io.testbed.core.journal.Journal.withoutFile("it");
        journal.addListener(CommandLog.appendingTo(log));
        return journal;
    }
}
