package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shell text of {@link ShellScripts}, checked by running it with the local shells: {@code sh} (dash here),
 * {@code bash}, and busybox {@code ash} when a busybox binary is found ({@code -Dtestbed.test.busybox=PATH}, or
 * {@code busybox} on the PATH) — the guests' shell.
 */
class ShellScriptsTest {

    /** Shell command prefixes to run a script with, e.g. {@code [sh, -c]}. */
    static Stream<List<String>> shells() {
        List<List<String>> shells = new ArrayList<>();
        shells.add(List.of("sh", "-c"));
        shells.add(List.of("bash", "-c"));
        busybox().ifPresent(busybox -> shells.add(List.of(busybox, "ash", "-c")));
        // Started by the JVM the shell leads no group (as under dropbear, whose connection process leads it);
        // started through setsid (as sshd starts it) it leads its own session and group. Both must work.
        return shells.stream().flatMap(shell -> {
            List<String> leader = new ArrayList<>(List.of("setsid"));
            leader.addAll(shell);
            return Stream.of(shell, leader);
        });
    }

    static Optional<String> busybox() {
        String configured = System.getProperty("testbed.test.busybox");
        if (configured != null) {
            return Optional.of(configured);
        }
        return Stream.of(System.getenv("PATH").split(":"))
                .map(dir -> Path.of(dir, "busybox"))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst();
    }

    record Run(long pid, int status, String stdout, String stderr) {}

    static Run run(List<String> shell, ShellScripts.Wrapped wrapped) throws Exception {
        List<String> command = new ArrayList<>(shell);
        command.add(wrapped.script());
        Process process = new ProcessBuilder(command).start();
        try (OutputStream stdin = process.getOutputStream()) {
            if (wrapped.stdin() != null) {
                stdin.write(wrapped.stdin());
            }
        }
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Run(
                process.pid(),
                process.exitValue(),
                new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void runsTheCommandInPlaceMarkedWithItsRunIdAndAddsNoOutput(List<String> shell) throws Exception {
        String runId = runId("a1");
        Run run = run(
                shell,
                ShellScripts.wrap(
                        "echo \"$$ $# $TESTBED_RUN\"; sh -c 'echo $TESTBED_RUN' & wait",
                        Optional.empty(),
                        Map.of(),
                        runId));
        assertThat(run.status()).isZero();
        // in place: the shell the JVM started runs it; no positional parameters; children inherit the mark
        assertThat(run.stdout()).isEqualTo(run.pid() + " 0 " + runId + "\n" + runId + "\n");
        assertThat(run.stderr()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void passesEnvironmentValuesExactlyOnStandardInputNotInTheScript(List<String> shell) throws Exception {
        String tricky = "it's \"quoted\" $HOME `echo no` \\ back\nsecond line\n\ttab; rm -rf / #";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRICKY", tricky);
        env.put("EMPTY", "");
        ShellScripts.Wrapped wrapped =
                ShellScripts.wrap("printf '[%s][%s]' \"$TRICKY\" \"$EMPTY\"; cat", Optional.empty(), env, runId("n2"));
        assertThat(wrapped.script()).doesNotContain("quoted").doesNotContain("second line");
        Run run = run(shell, wrapped);
        assertThat(run.status()).isZero();
        // 'cat' got end-of-file right after the environment block: the command reads nothing of it.
        assertThat(run.stdout()).isEqualTo("[" + tricky + "][]");
        assertThat(ShellScripts.userStderr(run.stderr())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void entersTheWorkingDirectoryOrSaysItCannot(List<String> shell) throws Exception {
        Run ok = run(shell, ShellScripts.wrap("pwd", Optional.of("/tmp"), Map.of(), runId("n3")));
        assertThat(ok.stdout()).isEqualTo("/tmp\n");

        Run missing = run(
                shell,
                ShellScripts.wrap("echo should-not-run", Optional.of("/nonexistent dir's"), Map.of(), runId("n4")));
        assertThat(missing.status()).isEqualTo(ShellScripts.NO_WORKDIR_STATUS);
        assertThat(missing.stdout()).isEmpty();
        assertThat(ShellScripts.workDirMissing(missing.status(), missing.stderr()))
                .isTrue();
        assertThat(ShellScripts.userStderr(missing.stderr())).doesNotContain(ShellScripts.NO_WORKDIR_MARKER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void keepsTheCommandsExitStatusQuotesAndErrors(List<String> shell) throws Exception {
        assertThat(run(shell, ShellScripts.wrap("exit 3", Optional.empty(), Map.of(), runId("n5")))
                        .status())
                .isEqualTo(3);
        Run quoted = run(
                shell, ShellScripts.wrap("echo 'single' \"double\" it\\'s", Optional.empty(), Map.of(), runId("n6")));
        assertThat(quoted.stdout()).isEqualTo("single double it's\n");
        Run broken = run(shell, ShellScripts.wrap("if then fi (", Optional.empty(), Map.of(), runId("n7")));
        assertThat(broken.status()).isNotZero();
        assertThat(ShellScripts.userStderr(broken.stderr())).isNotBlank();
        Run multiLine = run(
                shell,
                ShellScripts.wrap(
                        "x=1\nif [ $x = 1 ]; then\n  echo one\nfi\ncat <<EOF\nheredoc\nEOF",
                        Optional.empty(),
                        Map.of(),
                        runId("n8")));
        assertThat(multiLine.stdout()).isEqualTo("one\nheredoc\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void killScriptKillsEveryProcessOfTheCommandEvenWhileItForksAndNothingElse(List<String> shell) throws Exception {
        int base = 600_000 + ThreadLocalRandom.current().nextInt(100_000) * 10;
        // A background job, a subshell holding a grandchild, an orphan whose parent exited (re-parented away from
        // the tree), a child that cleared its environment, and a loop that forks a new process all the time.
        String runId = runId("k1");
        Process process = start(
                shell,
                ShellScripts.wrap(
                        "sleep " + base + " & (sleep " + (base + 2) + "; true) &"
                                + " (sleep " + (base + 4) + " &) ; env -i sleep " + (base + 5)
                                + " & (while :; do sleep 0; done) &"
                                + " sleep " + (base + 1) + "; wait",
                        Optional.empty(),
                        Map.of(),
                        runId));
        Process sibling =
                start(shell, ShellScripts.wrap("sleep " + (base + 3), Optional.empty(), Map.of(), runId("k0")));
        try {
            List<ProcessHandle> sleeps = awaitSleeps(base, 0, 1, 2, 4, 5);
            List<ProcessHandle> siblings = awaitSleeps(base, 3);
            // A kill carrying another run id leaves everything alone.
            assertThat(runKill(shell, runId("k9"))).isEmpty();
            assertThat(process.waitFor(200, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(sleeps).allMatch(ShellScriptsTest::running);
            List<ProcessHandle> tree = process.toHandle().descendants().toList();

            assertThat(runKill(shell, runId)).isNotEmpty().contains(String.valueOf(process.pid()));
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + 9);
            for (ProcessHandle child : concat(tree, sleeps)) {
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        running(child) && System.nanoTime() < end; ) {
                    Thread.sleep(5);
                }
                assertThat(running(child))
                        .as("process %s of the command", child.pid())
                        .isFalse();
            }
            // Nothing outside the command is touched, though it may share the process group (as under dropbear).
            assertThat(sibling.isAlive()).isTrue();
            assertThat(siblings).allMatch(ShellScriptsTest::running);
            // Once everything is gone, a kill finds nothing.
            assertThat(runKill(shell, runId)).isEmpty();
        } finally {
            process.destroyForcibly();
            sibling.destroyForcibly();
            ProcessHandle.allProcesses()
                    .filter(p -> commandLine(p).matches("sleep " + base / 10 + "\\d"))
                    .forEach(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void killScriptKillsACommandThatReplacedTheShellWithExec(List<String> shell) throws Exception {
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        String runId = runId("k2");
        Process process = start(shell, ShellScripts.wrap("exec sleep " + seconds, Optional.empty(), Map.of(), runId));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!commandLine(process.toHandle()).equals("sleep " + seconds) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // The shell is gone: its process is sleep now, whose command line has no wrapper text.
            assertThat(commandLine(process.toHandle())).isEqualTo("sleep " + seconds);
            assertThat(runKill(shell, runId("k8"))).isEmpty();
            assertThat(process.waitFor(200, TimeUnit.MILLISECONDS)).isFalse();

            assertThat(runKill(shell, runId)).isEqualTo(String.valueOf(process.pid()));
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + 9);
        } finally {
            process.destroyForcibly();
        }
    }

    /** A run id of the right shape, distinct per call. */
    static String runId(String prefix) {
        return prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** Waits until a {@code sleep base+N} process runs for each offset N, anywhere on this host, and returns them. */
    static List<ProcessHandle> awaitSleeps(int base, int... offsets) throws InterruptedException {
        List<String> wanted =
                IntStream.of(offsets).mapToObj(n -> "sleep " + (base + n)).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ProcessHandle> found;
        do {
            found = ProcessHandle.allProcesses()
                    .filter(p -> wanted.contains(commandLine(p)))
                    .toList();
            if (found.size() == wanted.size()) {
                return found;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + wanted + " to run, found "
                + found.stream().map(ShellScriptsTest::commandLine).toList());
    }

    static List<ProcessHandle> concat(List<ProcessHandle> a, List<ProcessHandle> b) {
        List<ProcessHandle> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The arguments of a process, joined by spaces, as {@code /proc/PID/cmdline} holds them; empty if gone. */
    static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc/" + process.pid() + "/cmdline"))
                    .replace('\0', ' ')
                    .strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Starts a wrapped script without waiting for it; its standard input is closed at once. */
    static Process start(List<String> shell, ShellScripts.Wrapped wrapped) throws IOException {
        List<String> command = new ArrayList<>(shell);
        command.add(wrapped.script());
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        return process;
    }

    /** Runs the kill script for {@code runId} with {@code shell}; it must exit with 0. Returns the pids it killed. */
    static String runKill(List<String> shell, String runId) throws Exception {
        List<String> command = new ArrayList<>(shell);
        command.add(ShellScripts.killScript(runId));
        Process kill = new ProcessBuilder(command).start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(kill.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue())
                .as("kill script exit status, errors: %s", errors)
                .isZero();
        assertThat(errors).as("kill script errors").isEmpty();
        return output.strip();
    }

    /** Alive and not a zombie (orphans stay zombies until this host's init reaps them, which can take seconds). */
    static boolean running(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void rejectsEnvironmentNamesTheWrapperUses() {
        assertThatThrownBy(() -> ShellScripts.wrap("true", Optional.empty(), Map.of("__tb_e", "x"), runId("r")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("env name (__tb_e)")
                .hasMessageContaining("__tb_");
        assertThatThrownBy(() -> ShellScripts.wrap("true", Optional.empty(), Map.of("TESTBED_RUN", "x"), runId("r")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("env name (TESTBED_RUN)");
    }

    @Test
    void mapsSysctlKeysToProcSysPaths() {
        assertThat(ShellScripts.sysctlPath("net.ipv4.ip_forward")).isEqualTo("/proc/sys/net/ipv4/ip_forward");
        assertThat(ShellScripts.sysctlPath("net/ipv4/conf/eth0.10/forwarding"))
                .isEqualTo("/proc/sys/net/ipv4/conf/eth0.10/forwarding");
        for (String bad : new String[] {"", "net..ipv4", "../etc/passwd", "net.ipv4.", "/abs", "a b", "a;b"}) {
            assertThatThrownBy(() -> ShellScripts.sysctlPath(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sysctl key (" + bad + ")");
        }
    }

    @Test
    void acceptsOnlySysAndProcPathsForSettings() {
        assertThat(ShellScripts.checkSettingPath("/sys/class/net/eth0/mtu")).isEqualTo("/sys/class/net/eth0/mtu");
        assertThat(ShellScripts.checkSettingPath("/proc/sys/net/ipv4/conf/all/forwarding"))
                .isNotNull();
        for (String bad : new String[] {"/etc/passwd", "sys/class", "/sys/../etc/shadow", "/proc/sys/..", "/sysx"}) {
            assertThatThrownBy(() -> ShellScripts.checkSettingPath(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("(" + bad + ")");
        }
    }

    @Test
    void restoresTheSelectedChoiceOfAChoiceList() {
        assertThat(ShellScripts.restorableValue("0\n")).isEqualTo("0");
        assertThat(ShellScripts.restorableValue("32768\t60999\n")).isEqualTo("32768\t60999");
        assertThat(ShellScripts.restorableValue("none [mq-deadline] kyber\n")).isEqualTo("mq-deadline");
        assertThat(ShellScripts.restorableValue("[never] madvise always\n")).isEqualTo("never");
        assertThat(ShellScripts.restorableValue("[1]\n")).isEqualTo("[1]");
    }

    @Test
    void acceptsOnlyRunIdsOfLowerCaseLettersAndDigits() {
        for (String bad : new String[] {"a b", "short", "UPPERCASE1", "x".repeat(65), "id'quote1", ""}) {
            assertThatThrownBy(() -> ShellScripts.wrap("true", Optional.empty(), Map.of(), bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("run id (" + bad + ")");
            assertThatThrownBy(() -> ShellScripts.killScript(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("run id (" + bad + ")");
        }
        // the script never holds the mark it looks for, so it cannot find itself
        assertThat(ShellScripts.killScript("abcdef0123"))
                .doesNotContain("TESTBED_RUN=abcdef0123")
                .contains("TESTBED_RUN=[a]bcdef0123");
    }

    @Test
    void readsThenWritesASettingInOneCommand() throws IOException {
        assertThat(ShellScripts.readThenWriteScript("/proc/sys/x", "1 2"))
                .isEqualTo("cat '/proc/sys/x' && printf '%s\\n' '1 2' > '/proc/sys/x'");
        assertThat(ShellScripts.writeScript("/sys/y", "it's")).isEqualTo("printf '%s\\n' 'it'\\''s' > '/sys/y'");
    }
}
