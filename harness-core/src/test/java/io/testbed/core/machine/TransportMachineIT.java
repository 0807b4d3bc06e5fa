package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.testbed.core.CommandFailedException;
import io.testbed.core.CommandTimeoutException;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.ssh.TestSshd;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TransportMachine} over SSH against the project's real test sshd (notes/SSHD.md). */
class TransportMachineIT {

    @TempDir
    Path dir;

    private TestSshd sshd;
    private TransportMachine machine;
    private Path commandLog;

    @BeforeEach
    void connect() throws Exception {
        sshd = TestSshd.authorize(dir.resolve("keys"));
        commandLog = dir.resolve("prefix/logs/commands.log");
        machine = TransportMachine.builder("box", sshd.transport().build())
                .address("lan", InetAddress.getByName(sshd.host))
                .journal(SettingsRestoreIT.journalWithCommandLog(commandLog))
                .build();
        machine.transport().awaitReady(Duration.ofSeconds(15));
    }

    @AfterEach
    void disconnect() {
        try {
            machine.close();
        } finally {
            sshd.close();
        }
    }

    @Test
    void runsACommandAndReturnsItsOutputWithoutTheWrappersMarker() {
        ExecResult result = machine.run("echo out; echo err >&2; exit 3");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.machine()).isEqualTo("box");
        assertThat(result.command()).isEqualTo("echo out; echo err >&2; exit 3");
    }

    @Test
    void throwsWhenTheExitStatusContradictsTheExpectation() {
        assertThatThrownBy(() -> machine.run("echo nope >&2; exit 4", RunOptions.expectSuccess()))
                .isInstanceOfSatisfying(
                        CommandFailedException.class,
                        e -> assertThat(e.result().exitCode()).isEqualTo(4))
                .hasMessageContaining("Expected success")
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> machine.run("true", RunOptions.expectFailure()))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("Expected failure");
        assertThat(machine.run("false", RunOptions.expectFailure()).exitCode()).isEqualTo(1);
        assertThat(machine.run("true", RunOptions.expectSuccess()).succeeded()).isTrue();
    }

    @Test
    void passesEnvironmentAndWorkingDirectoryButLogsOnlyVariableNames() throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID() + " with 'quotes' \"and\" $dollars `ticks`\nand a newline";
        RunOptions options = RunOptions.builder()
                .workDir("/tmp")
                .env("TOKEN", secret)
                .env("PLAIN", "x")
                .expectation(RunOptions.Expectation.SUCCESS)
                .build();
        ExecResult result = machine.run("pwd; printf '%s|%s' \"$TOKEN\" \"$PLAIN\"", options);
        assertThat(result.stdout()).isEqualTo("/tmp\n" + secret + "|x");

        String log = Files.readString(commandLog);
        assertThat(log)
                .contains("box run exit=0")
                .contains("cwd=/tmp")
                .contains("env=[PLAIN,TOKEN]")
                .contains("cmd=pwd; printf");
        assertThat(log).doesNotContain(secret.substring(0, 20));
    }

    @Test
    void namesAWorkingDirectoryThatDoesNotExist() {
        String missing = "/nonexistent-" + UUID.randomUUID();
        assertThatThrownBy(() -> machine.run(
                        "true", RunOptions.builder().workDir(missing).build()))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("Working directory '" + missing + "'")
                .hasMessageContaining("box");
    }

    /** What {@link #parsesJsonFromStandardOutput} reads. */
    record Service(String name, List<Integer> ports) {}

    @Test
    void runOkReturnsTheResultOfASucceedingCommandAndThrowsForAFailingOne() {
        assertThat(machine.runOk("echo fine").stdout()).isEqualTo("fine\n");
        assertThatThrownBy(() -> machine.runOk("echo broken >&2; exit 3"))
                .isInstanceOfSatisfying(CommandFailedException.class, e -> {
                    assertThat(e.result().exitCode()).isEqualTo(3);
                    assertThat(e.result().stderr()).isEqualTo("broken\n");
                });
    }

    @Test
    void parsesJsonFromStandardOutput() {
        ExecResult result = machine.run("printf '{\"name\":\"box\",\"ports\":[22,80]}'");
        assertThat(result.stdoutAsMap()).containsExactly(entry("name", "box"), entry("ports", List.of(22, 80)));
        assertThat(result.stdoutAs(Service.class)).isEqualTo(new Service("box", List.of(22, 80)));
        assertThatThrownBy(() -> machine.run("echo not json").stdoutAsMap())
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("stdout of 'echo not json' on machine 'box' is not JSON for a JSON object: ");
    }

    @Test
    void killsTheRemoteProcessGroupWhenTheTimeoutElapses() {
        String marker = "tb-timeout-" + UUID.randomUUID();
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> machine.run(
                        "sleep " + seconds + "; echo " + marker,
                        RunOptions.builder().timeout(Duration.ofSeconds(1)).build()))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("did not finish within 1000 ms and was killed");
        System.out.printf("timeout of 1 s: run() returned after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertGone(marker, "sleep " + seconds);
    }

    @Test
    void killsACommandThatReplacedTheShellWithExecWhenTheTimeoutElapses() {
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> machine.run(
                        "exec sleep " + seconds,
                        RunOptions.builder().timeout(Duration.ofSeconds(1)).build()))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("did not finish within 1000 ms and was killed");
        System.out.printf(
                "timeout of 1 s (exec): run() returned after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertGone("sleep " + seconds, "sleep " + seconds);
    }

    @Test
    void killsAJobThatReplacedTheShellWithExec() {
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        Job sleeper = machine.start("exec sleep " + seconds);
        awaitRunning("sleep " + seconds);
        // The wrapper's shell is gone: the job's process is sleep itself.
        String pattern = "[s]leep " + seconds;
        assertThat(machine.run("pgrep -f '" + pattern + "' | xargs -I{} cat /proc/{}/comm")
                        .stdout())
                .isEqualTo("sleep\n");
        ExecResult killed = sleeper.kill();
        assertThat(killed.exitCode()).isEqualTo(137);
        assertThat(sleeper.finished()).isTrue();
        assertGone("sleep " + seconds, "sleep " + seconds);
    }

    @Test
    void killsAJobWithItsChildrenAndLetsAnotherOneFinish() {
        String marker = "tb-job-" + UUID.randomUUID();
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        Job sleeper = machine.start("sleep " + seconds + " & sleep " + (seconds + 1) + "; wait; echo " + marker);
        Job quick = machine.start("sleep 0.3; echo done");
        assertThat(sleeper.id()).isLessThan(quick.id());
        assertThat(sleeper.finished()).isFalse();
        assertThat(sleeper.passed()).isFalse();
        awaitRunning("sleep " + seconds);

        ExecResult quickResult = quick.waitFor(Duration.ofSeconds(20));
        assertThat(quick.finished()).isTrue();
        assertThat(quick.passed()).isTrue();
        assertThat(quickResult.stdout()).isEqualTo("done\n");

        assertThatThrownBy(() -> sleeper.waitFor(Duration.ofMillis(200)))
                .isInstanceOf(CommandTimeoutException.class)
                .hasMessageContaining("still running");
        ExecResult killed = sleeper.kill();
        assertThat(killed.exitCode()).isEqualTo(137);
        assertThat(sleeper.finished()).isTrue();
        assertThat(sleeper.passed()).isFalse();
        assertThat(sleeper.kill()).isEqualTo(killed);
        assertGone(marker, "sleep " + seconds);
        assertGone(marker, "sleep " + (seconds + 1));
    }

    @Test
    void killJobsKillsEveryRunningJob() {
        String marker = "tb-jobs-" + UUID.randomUUID();
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        Job first = machine.start("sleep " + seconds + "; echo " + marker);
        Job second = machine.start("sleep " + (seconds + 1) + "; echo " + marker);
        awaitRunning("sleep " + (seconds + 1));
        machine.killJobs();
        assertThat(first.finished()).isTrue();
        assertThat(second.finished()).isTrue();
        assertGone(marker, "sleep " + seconds);
        machine.killJobs(); // idempotent
    }

    @Test
    void killJobsKillsWhatAJobLeftBehindWhenItsConnectionBroke() throws Exception {
        String marker = "tb-orphan-" + UUID.randomUUID();
        int seconds = 600_000 + ThreadLocalRandom.current().nextInt(100_000);
        Job job = machine.start("sleep " + seconds + "; echo " + marker);
        awaitRunning("sleep " + seconds);
        long sshdChild = Long.parseLong(machine.run("echo $PPID").stdout().strip());
        ProcessHandle.of(sshdChild).orElseThrow().destroyForcibly();
        for (long end = System.nanoTime() + 10_000_000_000L; !job.finished() && System.nanoTime() < end; ) {
            Thread.sleep(10);
        }
        assertThat(job.finished()).isTrue();
        assertThat(job.passed()).isFalse();
        assertThatThrownBy(() -> job.waitFor(Duration.ofSeconds(1)))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("broke while a command was running");
        // The job's processes outlived the connection (no terminal, no SIGHUP) ...
        String pattern = "[s]leep " + seconds;
        assertThat(machine.run("pgrep -f '" + pattern + "'").exitCode()).isZero();
        // ... until the harness's killJobs() reaches them over a new connection.
        machine.killJobs();
        assertGone(marker, "sleep " + seconds);
    }

    @Test
    void waitsForAnOpenPortAndNamesAClosedOne() throws Exception {
        machine.waitForPort(sshd.port, Duration.ofSeconds(5));
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(sshd.host))) {
            closedPort = socket.getLocalPort();
        }
        int port = closedPort;
        assertThatThrownBy(() -> machine.waitForPort(port, Duration.ofMillis(500)))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("Port " + port + " of machine 'box'")
                .hasMessageContaining("within 500 ms")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void logsEveryCommandWithItsExitStatusAndDuration() throws Exception {
        machine.run("true");
        machine.run("exit 5");
        Job job = machine.start("echo hi");
        job.waitFor(Duration.ofSeconds(10));
        String log = Files.readString(commandLog);
        assertThat(log).containsPattern("box run exit=0 \\d+ms cmd=true\n");
        assertThat(log).containsPattern("box run exit=5 \\d+ms cmd=exit 5\n");
        assertThat(log).containsPattern("box job#" + job.id() + " start started \\d+ms cmd=echo hi\n");
        assertThat(log).containsPattern("box job#" + job.id() + " exit=0 \\d+ms cmd=echo hi\n");
    }

    /** The remote side no longer runs a process whose command line holds {@code marker} or {@code command}. */
    private void assertGone(String marker, String command) {
        // '[x]yz' keeps pgrep from matching the shell that runs it, whose command line holds the pattern too.
        String pattern = "[" + command.charAt(0) + "]" + command.substring(1);
        String markerPattern = "[" + marker.charAt(0) + "]" + marker.substring(1);
        ExecResult remote = machine.run("pgrep -af '" + pattern + "'; pgrep -af '" + markerPattern + "'; true");
        assertThat(remote.stdout()).as("processes still running on the machine").isEmpty();
        // The sshd is local, so the JVM can check too.
        assertThat(ProcessHandle.allProcesses()
                        .map(p -> p.info().commandLine().orElse(""))
                        .filter(line -> line.contains(marker) || line.contains(command)))
                .as("local processes")
                .isEmpty();
    }

    private void awaitRunning(String command) {
        String pattern = "[" + command.charAt(0) + "]" + command.substring(1);
        machine.run(
                "i=0; until pgrep -f '" + pattern + "' >/dev/null; do i=$((i+1)); [ $i -gt 100 ] && exit 1;"
                        + " sleep 0.05; done",
                RunOptions.expectSuccess());
    }
}
