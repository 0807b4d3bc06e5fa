package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        // Started by the JVM the shell leads no group and re-executes itself through setsid; started through
        // setsid (as sshd starts it: a session leader) it runs the command in place.
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
        return Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "busybox"))
                .filter(Files::isExecutable).map(Path::toString).findFirst();
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
        return new Run(process.pid(), process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void runsTheCommandAsLeaderOfItsOwnProcessGroupAndReportsThatPidAndItsStartTimeFirst(List<String> shell)
            throws Exception {
        Run run = run(shell, ShellScripts.wrap(
                "read -r a b c d pgrp sid rest </proc/$$/stat; echo \"$$ $pgrp $#\"; sleep 0 & echo child; wait;"
                        + " sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20",
                Optional.empty(), Map.of(), "n1"));
        assertThat(run.status()).isZero();
        Optional<ShellScripts.Leader> reported = ShellScripts.leader(run.stderr());
        assertThat(reported).isPresent();
        assertThat(reported.get().pid()).isEqualTo(run.pid()); // the pid is kept: nothing forked in between
        // The command sees no positional parameters, and the start time its own /proc/$$/stat holds.
        assertThat(run.stdout()).isEqualTo(run.pid() + " " + run.pid() + " 0\nchild\n"
                + reported.get().startTime() + "\n");
        assertThat(reported.get().startTime()).isPositive();
        assertThat(ShellScripts.userStderr(run.stderr())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void passesEnvironmentValuesExactlyOnStandardInputNotInTheScript(List<String> shell) throws Exception {
        String tricky = "it's \"quoted\" $HOME `echo no` \\ back\nsecond line\n\ttab; rm -rf / #";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRICKY", tricky);
        env.put("EMPTY", "");
        ShellScripts.Wrapped wrapped = ShellScripts.wrap("printf '[%s][%s]' \"$TRICKY\" \"$EMPTY\"; cat",
                Optional.empty(), env, "n2");
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
        Run ok = run(shell, ShellScripts.wrap("pwd", Optional.of("/tmp"), Map.of(), "n3"));
        assertThat(ok.stdout()).isEqualTo("/tmp\n");

        Run missing = run(shell, ShellScripts.wrap("echo should-not-run", Optional.of("/nonexistent dir's"),
                Map.of(), "n4"));
        assertThat(missing.status()).isEqualTo(ShellScripts.NO_WORKDIR_STATUS);
        assertThat(missing.stdout()).isEmpty();
        assertThat(ShellScripts.workDirMissing(missing.status(), missing.stderr())).isTrue();
        assertThat(ShellScripts.userStderr(missing.stderr())).doesNotContain(ShellScripts.NO_WORKDIR_MARKER)
                .doesNotContain(ShellScripts.PID_MARKER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void keepsTheCommandsExitStatusQuotesAndErrors(List<String> shell) throws Exception {
        assertThat(run(shell, ShellScripts.wrap("exit 3", Optional.empty(), Map.of(), "n5")).status()).isEqualTo(3);
        Run quoted = run(shell, ShellScripts.wrap("echo 'single' \"double\" it\\'s", Optional.empty(), Map.of(),
                "n6"));
        assertThat(quoted.stdout()).isEqualTo("single double it's\n");
        Run broken = run(shell, ShellScripts.wrap("if then fi (", Optional.empty(), Map.of(), "n7"));
        assertThat(broken.status()).isNotZero();
        assertThat(ShellScripts.leader(broken.stderr())).isPresent();
        assertThat(ShellScripts.userStderr(broken.stderr())).isNotBlank();
        Run multiLine = run(shell, ShellScripts.wrap("x=1\nif [ $x = 1 ]; then\n  echo one\nfi\ncat <<EOF\nheredoc\nEOF",
                Optional.empty(), Map.of(), "n8"));
        assertThat(multiLine.stdout()).isEqualTo("one\nheredoc\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void killScriptKillsTheWholeGroup(List<String> shell) throws Exception {
        Process process = start(shell, ShellScripts.wrap("sleep 1000 & sleep 1001; wait", Optional.empty(), Map.of(),
                "k1"));
        try {
            ShellScripts.Leader leader = awaitLeader(process);
            assertThat(leader.pid()).isEqualTo(process.pid());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (process.toHandle().descendants().count() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            List<ProcessHandle> children = process.toHandle().descendants().toList();
            assertThat(children).hasSize(2);
            // A kill carrying another start time leaves the group alone (the pid might have been reused).
            runKill(shell, new ShellScripts.Leader(leader.pid(), leader.startTime() + 1));
            assertThat(process.waitFor(200, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(children).allMatch(ShellScriptsTest::running);

            runKill(shell, leader);
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + 9);
            for (ProcessHandle child : children) {
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        running(child) && System.nanoTime() < end; ) {
                    Thread.sleep(5);
                }
                assertThat(running(child)).as("child %s", child.pid()).isFalse();
            }
        } finally {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shells")
    void killScriptKillsACommandThatReplacedTheShellWithExec(List<String> shell) throws Exception {
        Process process = start(shell, ShellScripts.wrap("exec sleep 1000", Optional.empty(), Map.of(), "k2"));
        try {
            ShellScripts.Leader leader = awaitLeader(process);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!commandLine(process).equals("sleep 1000") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // The shell is gone: its pid and start time now belong to sleep, whose command line has no wrapper text.
            assertThat(commandLine(process)).isEqualTo("sleep 1000");
            assertThat(leader.pid()).isEqualTo(process.pid());

            runKill(shell, new ShellScripts.Leader(leader.pid(), leader.startTime() + 1));
            assertThat(process.waitFor(200, TimeUnit.MILLISECONDS)).isFalse();

            runKill(shell, leader);
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(128 + 9);
        } finally {
            process.destroyForcibly();
        }
    }

    /** The arguments of a running process, joined by spaces, as {@code /proc/PID/cmdline} holds them. */
    static String commandLine(Process process) throws IOException {
        String cmdline = Files.readString(Path.of("/proc/" + process.pid() + "/cmdline"));
        return cmdline.replace('\0', ' ').strip();
    }

    /** Starts a wrapped script without waiting for it; its standard input is closed at once. */
    static Process start(List<String> shell, ShellScripts.Wrapped wrapped) throws IOException {
        List<String> command = new ArrayList<>(shell);
        command.add(wrapped.script());
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        return process;
    }

    /** Reads standard error up to the wrapper's pid line. */
    static ShellScripts.Leader awaitLeader(Process process) throws Exception {
        CompletableFuture<ShellScripts.Leader> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader stderr = new BufferedReader(
                        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
                for (String next; (next = stderr.readLine()) != null; ) {
                    Optional<ShellScripts.Leader> leader = ShellScripts.leader(next + "\n");
                    if (leader.isPresent()) {
                        return leader.get();
                    }
                }
                throw new IllegalStateException("standard error ended without a pid line");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return line.get(10, TimeUnit.SECONDS);
    }

    /** Runs the kill script for {@code leader} with {@code shell}; it always exits with 0. */
    static void runKill(List<String> shell, ShellScripts.Leader leader) throws Exception {
        List<String> command = new ArrayList<>(shell);
        command.add(ShellScripts.killScript(leader));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill script exit status, output: %s", output).isZero();
        assertThat(output).as("kill script output").isEmpty();
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
    void quotesAnyTextAsOneWord() {
        assertThat(ShellScripts.quote("plain")).isEqualTo("'plain'");
        assertThat(ShellScripts.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellScripts.quote("")).isEqualTo("''");
        assertThatThrownBy(() -> ShellScripts.quote("a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void rejectsEnvironmentNamesTheWrapperUses() {
        assertThatThrownBy(() -> ShellScripts.wrap("true", Optional.empty(), Map.of("__tb_e", "x"), "n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("__tb_e").hasMessageContaining("__tb_");
    }

    @Test
    void findsThePidLineOnlyOnceItIsComplete() {
        assertThat(ShellScripts.leader("TESTBED-PID 123 4567")).isEmpty();
        assertThat(ShellScripts.leader("TESTBED-PID 123 \n")).isEmpty();
        assertThat(ShellScripts.leader("TESTBED-PID 123 4567\n")).hasValue(new ShellScripts.Leader(123, 4567));
        assertThat(ShellScripts.leader("motd junk\nTESTBED-PID 77 9\nuser error\n"))
                .hasValue(new ShellScripts.Leader(77, 9));
        assertThat(ShellScripts.userStderr("TESTBED-PID 77 9\nuser\nTESTBED-PID 5 6\n"))
                .isEqualTo("user\nTESTBED-PID 5 6\n");
    }

    @Test
    void mapsSysctlKeysToProcSysPaths() {
        assertThat(ShellScripts.sysctlPath("net.ipv4.ip_forward")).isEqualTo("/proc/sys/net/ipv4/ip_forward");
        assertThat(ShellScripts.sysctlPath("net/ipv4/conf/eth0.10/forwarding"))
                .isEqualTo("/proc/sys/net/ipv4/conf/eth0.10/forwarding");
        for (String bad : new String[] {"", "net..ipv4", "../etc/passwd", "net.ipv4.", "/abs", "a b", "a;b"}) {
            assertThatThrownBy(() -> ShellScripts.sysctlPath(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sysctl key (" + bad + ")");
        }
    }

    @Test
    void acceptsOnlySysAndProcPathsForSettings() {
        assertThat(ShellScripts.checkSettingPath("/sys/class/net/eth0/mtu")).isEqualTo("/sys/class/net/eth0/mtu");
        assertThat(ShellScripts.checkSettingPath("/proc/sys/net/ipv4/conf/all/forwarding")).isNotNull();
        for (String bad : new String[] {"/etc/passwd", "sys/class", "/sys/../etc/shadow", "/proc/sys/..", "/sysx"}) {
            assertThatThrownBy(() -> ShellScripts.checkSettingPath(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(" + bad + ")");
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
    void killsByProcessGroupWithASyntaxEveryShellAccepts() {
        assertThat(ShellScripts.killScript(new ShellScripts.Leader(4242, 1234567))).isEqualTo(
                "if [ \"$(sed 's/.*) //' /proc/4242/stat 2>/dev/null | cut -d' ' -f20)\" = 1234567 ];"
                        + " then kill -9 -4242 2>/dev/null || kill -9 4242 2>/dev/null; fi; true");
        assertThatThrownBy(() -> new ShellScripts.Leader(1, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pid (1)");
        assertThatThrownBy(() -> new ShellScripts.Leader(42, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startTime (-1)");
        assertThatThrownBy(() -> ShellScripts.wrap("true", Optional.empty(), Map.of(), "a b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsThenWritesASettingInOneCommand() throws IOException {
        assertThat(ShellScripts.readThenWriteScript("/proc/sys/x", "1 2"))
                .isEqualTo("cat '/proc/sys/x' && printf '%s\\n' '1 2' > '/proc/sys/x'");
        assertThat(ShellScripts.writeScript("/sys/y", "it's")).isEqualTo("printf '%s\\n' 'it'\\''s' > '/sys/y'");
    }
}
