package io.testbed.bench;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code machine.run("true")} on a VM against raw sshj on one persistent connection to the same VM, and against
 * OpenSSH's {@code ssh host true} (a new connection each time, the prefix key, the VM's host key pinned in a
 * known_hosts file), interleaved command by command in a rotating order, each started on a quiet guest.
 */
final class ExecBench {

    /** Pause after a command on one connection, before the next is timed. */
    private static final Duration SETTLE = Duration.ofMillis(20);
    /** Pause after OpenSSH's whole connection, before the next command is timed. */
    private static final Duration OPENSSH_SETTLE = Duration.ofMillis(100);

    private ExecBench() {}

    static List<Metric> run(Bed bed, Environment environment, String machineName) {
        Machine machine = environment.machine(machineName);
        InetAddress address = machine.address("lan");
        Path keys = environment.prefixDir().resolve("keys");
        Path privateKey = keys.resolve("id_ed25519");
        String hostKey = read(keys.resolve(machineName + "-host_ed25519.pub"));
        Path knownHosts = keys.resolve("bench_known_hosts");
        write(knownHosts, address.getHostAddress() + " " + hostKey.strip().split("\\s+")[0] + " "
                + hostKey.strip().split("\\s+")[1] + "\n");
        List<String> openssh = List.of("ssh", "-F", "/dev/null", "-i", privateKey.toString(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o",
                "GlobalKnownHostsFile=/dev/null", "-o", "HostKeyAlgorithms=ssh-ed25519", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10", "root@" + address.getHostAddress(), "true");
        Samples testbed = new Samples();
        Samples raw = new Samples();
        Samples ssh = new Samples();
        int warmUp = Math.max(5, bed.options.execRuns() / 10);
        try (RawSsh anchor = RawSsh.connect(address, "root", privateKey, hostKey)) {
            for (int i = -warmUp; i < bed.options.execRuns(); i++) {
                if (i == 0 || i > 0 && i % 25 == 0) {
                    bed.quiet.await();
                }
                // Each command starts on a quiet guest: what one leaves to do under TCG (closing its channel,
                // tearing OpenSSH's whole connection down) would otherwise land on the next one's clock. The
                // order rotates too.
                double[] ms = new double[3];
                for (int k = 0; k < 3; k++) {
                    int which = Math.floorMod(i + k, 3);
                    ms[which] = switch (which) {
                        case 0 -> time(() -> check(machine.run("true").exitCode(), "machine.run"));
                        case 1 -> time(() -> check(anchor.exec("true"), "raw sshj"));
                        default -> time(() -> check(openssh(openssh), "ssh"));
                    };
                    settle(which == 2 ? OPENSSH_SETTLE : SETTLE);
                }
                if (i >= 0) {
                    testbed.add(ms[0]);
                    raw.add(ms[1]);
                    ssh.add(ms[2]);
                }
            }
        }
        bed.log("exec: run(true) %.1f ms, raw sshj %.1f ms, OpenSSH %.1f ms (medians of %d)", testbed.median(),
                raw.median(), ssh.median(), testbed.size());
        Metric runTrue = Metric.named("exec.run_true", "ms").samples(testbed)
                .anchor("raw sshj exec of `true` on one persistent connection (TCP_NODELAY) to the same VM", raw)
                .target(Target.ratioAtMost(1.1))
                .note("Machine.run(\"true\") on a tiny VM (" + bed.accelerator() + "): Testbed's wrapper script, "
                        + "command log and output pumps included; interleaved with the anchors in a rotating order,"
                        + " each on a quiet guest (" + SETTLE.toMillis() + " ms pause after a command, "
                        + OPENSSH_SETTLE.toMillis() + " ms after OpenSSH's connection), " + warmUp
                        + " warm-up rounds")
                .build();
        Metric opensshTrue = Metric.named("exec.openssh_true", "ms").samples(testbed)
                .anchor("OpenSSH `ssh root@vm true` (new connection each time, prefix key, pinned known_hosts)", ssh)
                .target(Target.ratioAtMost(0.3))
                .note("the same Machine.run(\"true\") samples as exec.run_true, against OpenSSH's client")
                .build();
        return List.of(runTrue, opensshTrue);
    }

    private static int openssh(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BenchException("`ssh … true` did not finish within 30 s");
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new BenchException("Cannot run OpenSSH's ssh: " + e.getMessage() + "; install openssh-client", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("Interrupted while ssh ran", e);
        }
    }

    private static void settle(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("Interrupted between exec samples", e);
        }
    }

    private static void check(int exitCode, String what) {
        if (exitCode != 0) {
            throw new BenchException(what + " of `true` exited " + exitCode);
        }
    }

    private static double time(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BenchException("Cannot read " + file + ": " + e, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BenchException("Cannot write " + file + ": " + e, e);
        }
    }
}
