package io.testbed.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostFactsTest {

    /** Recorded on a Debian 12 development host (meminfo shortened). */
    static final String DEBIAN = """
            --- nproc
            2
            --- meminfo
            MemTotal:       24683748 kB
            MemFree:        21217296 kB
            MemAvailable:   23427812 kB
            Buffers:           61824 kB
            HugePages_Total:       0
            --- uname
            6.18.44-fc-v1272
            x86_64
            --- nics
            eth0 virtio_net
            --- end
            """;

    /** Recorded shape of a lab server with two Intel ports and an onboard NIC, CRLF line ends from a Windows log. */
    static final String LAB_SERVER = String.join(
            "\r\n",
            "--- nproc",
            "48",
            "--- meminfo",
            "MemTotal:       395900000 kB",
            "SwapTotal:       8388604 kB",
            "--- uname",
            "5.14.0-427.13.1.el9_4.x86_64",
            "x86_64",
            "--- nics",
            "eno1 tg3",
            "ens1f0 ixgbe",
            "ens1f1 ixgbe",
            "--- end",
            "");

    /** A tiny busybox guest without nproc: the fallback counted /proc/cpuinfo; no device-backed NIC. */
    static final String TINY =
            "--- nproc\n1\n--- meminfo\nMemTotal:         236436 kB\n--- uname\n6.1.0-28-cloud-arm64\n"
                    + "aarch64\n--- nics\n--- end\n";

    @Test
    void parsesRecordedOutputs() {
        HostFacts debian = HostFacts.parse(DEBIAN);
        assertThat(debian)
                .isEqualTo(new HostFacts(
                        2,
                        24683748L * 1024,
                        "6.18.44-fc-v1272",
                        "x86_64",
                        List.of(new HostFacts.Nic("eth0", "virtio_net"))));
        HostFacts lab = HostFacts.parse(LAB_SERVER);
        assertThat(lab.cpus()).isEqualTo(48);
        assertThat(lab.memoryBytes()).isEqualTo(395900000L * 1024);
        assertThat(lab.nics()).extracting(HostFacts.Nic::driver).containsExactly("tg3", "ixgbe", "ixgbe");
        assertThat(lab.properties())
                .containsExactly(
                        Map.entry("cpus", "48"),
                        Map.entry("memory", "405401600000 B"),
                        Map.entry("kernel", "5.14.0-427.13.1.el9_4.x86_64"),
                        Map.entry("arch", "x86_64"),
                        Map.entry("nics", "3"),
                        Map.entry("drivers", "ixgbe tg3"));
        HostFacts tiny = HostFacts.parse(TINY);
        assertThat(tiny.arch()).isEqualTo("aarch64");
        assertThat(tiny.nics()).isEmpty();
        assertThat(tiny.properties()).containsEntry("nics", "0").containsEntry("drivers", "");
    }

    @Test
    void requirementsReadFactsInTheirUnits() {
        Map<String, String> facts = HostFacts.parse(LAB_SERVER).properties();
        assertThat(Requirement.parse("memory >= 256 GiB").check(n -> java.util.Optional.ofNullable(facts.get(n))))
                .isEmpty();
        assertThat(Requirement.parse("memory >= 512 GiB").check(n -> java.util.Optional.ofNullable(facts.get(n))))
                .contains("memory 377.56 GiB < 512 GiB");
        assertThat(Requirement.parse("drivers ~ \\bixgbe\\b").check(n -> java.util.Optional.ofNullable(facts.get(n))))
                .isEmpty();
        assertThat(Requirement.parse("kernel !~ ^4\\.").check(n -> java.util.Optional.ofNullable(facts.get(n))))
                .isEmpty();
    }

    @Test
    void theProbeCommandRunsInAPosixShellAndParses() throws IOException, InterruptedException {
        for (String shell : List.of("/bin/sh", "/usr/bin/busybox")) {
            if (!new java.io.File(shell).canExecute()) {
                continue;
            }
            List<String> command = shell.endsWith("busybox")
                    ? List.of(shell, "sh", "-c", FactProbe.COMMAND)
                    : List.of(shell, "-c", FactProbe.COMMAND);
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            HostFacts facts = HostFacts.parse(output);
            assertThat(facts.cpus()).as(shell).isPositive();
            assertThat(facts.arch()).as(shell).isNotBlank();
            assertThat(facts.memoryBytes())
                    .as(shell)
                    .isGreaterThan(Runtime.getRuntime().maxMemory() / 4);
        }
    }

    @Test
    void rejectsIncompleteOrMalformedOutput() {
        assertThatThrownBy(() -> HostFacts.parse("--- nproc\n2\n--- meminfo\nMemTotal: 1 kB\n"))
                .hasMessage("fact probe output lacks the section '--- uname' (the command stopped early or is not the "
                        + "probe command); output was:" + System.lineSeparator() + "--- nproc" + System.lineSeparator()
                        + "2" + System.lineSeparator() + "--- meminfo" + System.lineSeparator() + "MemTotal: 1 kB");
        assertThatThrownBy(() -> HostFacts.parse(DEBIAN.replace("\n2\n", "\nsh: nproc: not found\n")))
                .hasMessage("fact probe: nproc printed [sh: nproc: not found], expected one positive number");
        assertThatThrownBy(() -> HostFacts.parse(DEBIAN.replace("MemTotal", "MemTotals")))
                .hasMessage("fact probe: /proc/meminfo has no 'MemTotal: <n> kB' line");
        assertThatThrownBy(() -> HostFacts.parse(DEBIAN.replace("x86_64\n", "")))
                .hasMessage("fact probe: uname -r; uname -m printed [6.18.44-fc-v1272], expected a release and an "
                        + "architecture");
        assertThatThrownBy(() -> HostFacts.parse(DEBIAN.replace("eth0 virtio_net", "eth0")))
                .hasMessage("fact probe: NIC line 'eth0' is not '<interface> <driver>'");
    }

    @Test
    void cacheProbesOnceWithinItsLifetimeAndAgainAfterwards() {
        long[] now = {0};
        int[] probes = {0};
        HostFacts facts = HostFacts.parse(DEBIAN);
        FactCache cache = new FactCache(
                host -> {
                    probes[0]++;
                    return facts;
                },
                Duration.ofSeconds(10),
                () -> now[0]);
        InventoryHost lab1 = Hosts.host("lab-1").build();
        InventoryHost lab2 = Hosts.host("lab-2").build();
        assertThat(cache.probe(lab1)).isSameAs(facts);
        assertThat(cache.probe(lab1)).isSameAs(facts);
        assertThat(probes[0]).isEqualTo(1);
        cache.probe(lab2);
        assertThat(probes[0]).isEqualTo(2);
        now[0] = Duration.ofSeconds(9).toNanos();
        cache.probe(lab1);
        assertThat(probes[0]).isEqualTo(2);
        now[0] = Duration.ofSeconds(10).toNanos();
        cache.probe(lab1);
        assertThat(probes[0]).isEqualTo(3);
        cache.clear();
        cache.probe(lab1);
        assertThat(probes[0]).isEqualTo(4);
        assertThatThrownBy(() -> new FactCache(host -> facts, Duration.ZERO))
                .hasMessage("ttl must be positive, was PT0S");
    }

    @Test
    void cacheDoesNotRememberFailuresAndProbesOneHostOnceForConcurrentCallers() throws Exception {
        int[] calls = {0};
        FactCache failing = new FactCache(
                host -> {
                    calls[0]++;
                    throw new io.testbed.core.TestbedException("connection refused");
                },
                Duration.ofMinutes(1));
        InventoryHost lab1 = Hosts.host("lab-1").build();
        assertThatThrownBy(() -> failing.probe(lab1)).hasMessage("connection refused");
        assertThatThrownBy(() -> failing.probe(lab1)).hasMessage("connection refused");
        assertThat(calls[0]).isEqualTo(2);

        java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
        FactCache slow = new FactCache(
                host -> {
                    probes.incrementAndGet();
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return HostFacts.parse(DEBIAN);
                },
                Duration.ofMinutes(1));
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread thread = new Thread(() -> slow.probe(lab1));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(probes.get()).isEqualTo(1);
    }
}
