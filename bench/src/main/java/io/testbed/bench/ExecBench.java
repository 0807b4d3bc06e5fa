package io.testbed.bench;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.ssh.SshTransport;
import io.testbed.images.FileTrees;
import io.testbed.provider.libvirt.LibvirtProvider;
import io.testbed.provider.libvirt.VmOpenSsh;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code machine.run("true")} on a VM against raw sshj on one persistent connection to the same VM, and against
 * OpenSSH's {@code ssh host true} multiplexed over a persistent control master ({@code ControlMaster},
 * {@code ControlPersist}), as a user who cares about speed runs it. Commands run back to back, the three in one
 * round, the order reversed every round; {@code exec.run_true.quiet_guest} repeats the sshj comparison with a
 * pause after each command, so what a command leaves for the guest to finish does not land on the next one.
 */
final class ExecBench {

    /** The pause after each command of the quiet-guest variant. */
    private static final Duration SETTLE = Duration.ofMillis(20);

    static final String OPENSSH_ANCHOR = "OpenSSH `ssh root@vm true` through a control master started before the"
            + " samples (ControlMaster=auto, ControlPersist, prefix key, pinned known_hosts): one new channel on a"
            + " persistent connection per command";
    static final String RAW_ANCHOR = "raw sshj exec of `true` on one persistent connection (TCP_NODELAY) to the same"
            + " VM, a new session channel per command";

    private ExecBench() {}

    static List<Metric> run(Bed bed, Environment environment, String machineName) {
        Machine machine = environment.machine(machineName);
        InetAddress address = machine.address("lan");
        Path privateKey = Prefix.open(environment.prefixDir()).keyFile();
        String hostKey = read(Path.of(LibvirtProvider.hostKeyFile(environment.prefixDir(), machineName) + ".pub"));
        Path control = createTempDirectory();
        Path knownHosts = control.resolve("known_hosts");
        writeKnownHosts(environment.prefixDir(), machineName, address.getHostAddress(), knownHosts);
        List<String> base = new ArrayList<>();
        base.add("ssh");
        base.addAll(VmOpenSsh.options(privateKey, knownHosts));
        String target = VmOpenSsh.destination(address.getHostAddress());
        List<String> ssh = new ArrayList<>(base);
        ssh.addAll(List.of(
                "-o",
                "ControlMaster=auto",
                "-o",
                "ControlPath=" + control.resolve("cm"),
                "-o",
                "ControlPersist=600",
                target));
        // OpenSSH takes the first value of an option: the no-master command must not carry the master's options
        List<String> noMaster = new ArrayList<>(base);
        noMaster.addAll(List.of("-o", "ControlMaster=no", "-o", "ControlPath=none", target));
        Samples testbed = new Samples();
        Samples raw = new Samples();
        Samples openssh = new Samples();
        Samples quietTestbed = new Samples();
        Samples quietRaw = new Samples();
        Samples freshTestbed = new Samples();
        Samples freshOpenssh = new Samples();
        int warmUp = Math.max(5, bed.options.execRuns() / 10);
        try (RawSsh anchor = RawSsh.connect(address, "root", privateKey, hostKey)) {
            List<Runnable> commands = List.of(
                    () -> check(machine.run("true").exitCode(), "machine.run"),
                    () -> check(anchor.exec("true"), "raw sshj"),
                    () -> check(openssh(ssh, "true"), "ssh (control master)"));
            bed.quiet.await();
            for (int i = -warmUp; i < bed.options.execRuns(); i++) {
                double[] ms = new double[3];
                for (int k = 0; k < 3; k++) {
                    int which = i % 2 == 0 ? k : 2 - k;
                    ms[which] = time(commands.get(which));
                }
                if (i >= 0) {
                    testbed.add(ms[0]);
                    raw.add(ms[1]);
                    openssh.add(ms[2]);
                }
            }
            bed.quiet.await();
            for (int i = -warmUp; i < bed.options.execRuns(); i++) {
                double[] ms = new double[2];
                for (int k = 0; k < 2; k++) {
                    int which = i % 2 == 0 ? k : 1 - k;
                    ms[which] = time(commands.get(which));
                    settle();
                }
                if (i >= 0) {
                    quietTestbed.add(ms[0]);
                    quietRaw.add(ms[1]);
                }
            }
            List<Runnable> fresh = List.of(
                    () -> check(freshTransport(address, privateKey, hostKey), "SshTransport (new connection)"),
                    () -> check(openssh(noMaster, "true"), "ssh (new connection)"));
            bed.quiet.await();
            for (int i = -2; i < Math.max(4, bed.options.execRuns() / 5); i++) {
                double[] ms = new double[2];
                for (int k = 0; k < 2; k++) {
                    int which = Math.floorMod(i, 2) == 0 ? k : 1 - k;
                    ms[which] = time(fresh.get(which));
                }
                if (i >= 0) {
                    freshTestbed.add(ms[0]);
                    freshOpenssh.add(ms[1]);
                }
            }
        } finally {
            stopMaster(ssh);
            FileTrees.deleteQuietly(control);
        }
        bed.log(
                "exec: run(true) %.1f ms, raw sshj %.1f ms, OpenSSH (control master) %.1f ms; quiet guest: %.1f ms"
                        + " vs %.1f ms (medians of %d)",
                testbed.median(),
                raw.median(),
                openssh.median(),
                quietTestbed.median(),
                quietRaw.median(),
                testbed.size());
        String setup = "Machine.run(\"true\") on a tiny VM (" + bed.accelerator() + "): Testbed's wrapper script,"
                + " command log and output pumps included; " + warmUp + " warm-up rounds";
        return List.of(
                Metric.named("exec.run_true", "ms")
                        .samples(testbed)
                        .anchor(RAW_ANCHOR, raw)
                        .target(Target.ratioAtMost(1.1))
                        .note(setup + "; back to back with the anchors, the order reversed every round")
                        .build(),
                Metric.named("exec.openssh_true", "ms")
                        .samples(testbed)
                        .anchor(OPENSSH_ANCHOR, openssh)
                        .target(Target.ratioAtMost(0.3))
                        .note("the same Machine.run(\"true\") samples as exec.run_true, against OpenSSH's client"
                                + " on its control master")
                        .build(),
                Metric.named("exec.run_true.quiet_guest", "ms")
                        .samples(quietTestbed)
                        .anchor(RAW_ANCHOR, quietRaw)
                        .note(setup + "; each command followed by a " + SETTLE.toMillis() + " ms pause, so each"
                                + " starts on a quiet guest (not what back-to-back use gets)")
                        .build(),
                Metric.named("exec.new_connection_true", "ms")
                        .samples(freshTestbed)
                        .anchor(
                                "OpenSSH `ssh root@vm true` without a control master: a new connection, key"
                                        + " exchange and authentication per command",
                                freshOpenssh)
                        .note("Testbed's SshTransport built, connected, running `true` and closed per command, the"
                                + " cost of a first command or a reconnect; alternating with the anchor")
                        .build());
    }

    /** Names of the metrics {@link #run} returns. */
    static List<String> metricNames() {
        return List.of("exec.run_true", "exec.openssh_true", "exec.run_true.quiet_guest", "exec.new_connection_true");
    }

    private static int openssh(List<String> ssh, String... tail) {
        List<String> command = new ArrayList<>(ssh);
        command.addAll(List.of(tail));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BenchException("`ssh … " + String.join(" ", tail) + "` did not finish within 30 s");
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new BenchException("Cannot run OpenSSH's ssh: " + e.getMessage() + "; install openssh-client", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("Interrupted while ssh ran", e);
        }
    }

    /** Testbed's SSH transport on a new connection: connect, authenticate, run {@code true}, close. */
    private static int freshTransport(InetAddress address, Path privateKey, String hostKey) {
        try (SshTransport transport = SshTransport.builder()
                .host(address.getHostAddress())
                .port(22)
                .user("root")
                .privateKey(privateKey)
                .hostKey(hostKey.strip())
                .build()) {
            return transport.run("true", null, Duration.ofSeconds(30)).exitStatus();
        }
    }

    /** Asks the control master to exit ({@code ssh -O exit}); quietly, it may never have started. */
    private static void stopMaster(List<String> ssh) {
        List<String> command = new ArrayList<>(ssh.subList(0, ssh.size() - 1));
        command.addAll(List.of("-O", "exit", ssh.get(ssh.size() - 1)));
        try {
            LocalCommands.run(Duration.ofSeconds(20), command.toArray(String[]::new));
        } catch (BenchException e) {
            // the leak check reports a master left running
        }
    }

    private static void settle() {
        try {
            Thread.sleep(SETTLE.toMillis());
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

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory(Leaks.TEMP_PREFIX + "ssh-");
        } catch (IOException e) {
            throw new BenchException("Cannot create a temporary directory for OpenSSH's control socket: " + e, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BenchException("Cannot read " + file + ": " + e, e);
        }
    }

    private static void writeKnownHosts(Path prefixDir, String machine, String address, Path file) {
        try {
            VmOpenSsh.writeKnownHosts(prefixDir, machine, address, file);
        } catch (IOException e) {
            throw new BenchException("Cannot write " + file + ": " + e, e);
        }
    }
}
