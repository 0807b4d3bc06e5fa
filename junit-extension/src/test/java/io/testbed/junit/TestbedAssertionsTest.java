package io.testbed.junit;

import static io.testbed.junit.TestbedAssertions.assertThat;
import static io.testbed.junit.TestbedAssertions.assertThatThrownBy;

import io.testbed.core.ExecResult;
import io.testbed.core.TestNetwork;
import io.testbed.core.machine.TransportMachine;
import io.testbed.junit.local.LocalTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AssertJ assertions with their exact messages. Results are plain values; machine assertions run real commands
 * on local machines (directories on this host with busybox's {@code ping}, as in the tiny template).
 */
class TestbedAssertionsTest {

    private static final String N = System.lineSeparator();

    private static ExecResult result(int exitCode, String stdout, String stderr) {
        return new ExecResult("web", "systemctl start app", exitCode, stdout, stderr, Duration.ofMillis(12));
    }

    // --- ExecResultAssert

    @Test
    void succeededPassesOnExitCodeZero() {
        assertThat(result(0, "started\n", "")).succeeded().hasStdout("started").stdoutContains("star");
    }

    @Test
    void succeededShowsExitCodeAndOutput() {
        assertThatThrownBy(() -> assertThat(result(3, "", "Failed to start app.service\nsee journal\n"))
                        .succeeded())
                .isInstanceOf(AssertionError.class)
                .hasMessage(N + "Expecting command:" + N + "  'systemctl start app' on web" + N
                        + "to succeed but exit code was:" + N + "  3" + N
                        + "stdout:" + N + "  (empty)" + N
                        + "stderr:" + N + "  Failed to start app.service" + N + "  see journal");
    }

    @Test
    void failedRejectsSuccess() {
        assertThat(result(1, "", "")).failed();
        assertThatThrownBy(() -> assertThat(result(0, "ok\n", "")).failed())
                .hasMessage(N + "Expecting command:" + N + "  'systemctl start app' on web" + N
                        + "to fail but it succeeded (exit code 0)" + N
                        + "stdout:" + N + "  ok" + N + "stderr:" + N + "  (empty)");
    }

    @Test
    void failedWithExitCodeComparesTheCode() {
        assertThat(result(2, "", "")).failedWithExitCode(2);
        assertThatThrownBy(() -> assertThat(result(1, "", "boom")).failedWithExitCode(2))
                .hasMessage(N + "Expecting command:" + N + "  'systemctl start app' on web" + N
                        + "to exit with code:" + N + "  2" + N + "but exit code was:" + N + "  1" + N
                        + "stdout:" + N + "  (empty)" + N + "stderr:" + N + "  boom");
    }

    @Test
    void stdoutAndStderrContain() {
        assertThat(result(0, "a\nb\n", "warning: x\n")).stdoutContains("a\nb").stderrContains("warning");
        assertThatThrownBy(
                        () -> assertThat(result(1, "hello\n", "no such unit\n")).stdoutContains("bye"))
                .hasMessage(N + "Expecting stdout of command:" + N + "  'systemctl start app' on web" + N
                        + "to contain:" + N + "  \"bye\"" + N + "but was:" + N + "  hello" + N
                        + "exit code:" + N + "  1" + N + "stderr:" + N + "  no such unit");
        assertThatThrownBy(() -> assertThat(result(0, "started\n", "")).stderrContains("warning"))
                .hasMessage(N + "Expecting stderr of command:" + N + "  'systemctl start app' on web" + N
                        + "to contain:" + N + "  \"warning\"" + N + "but was:" + N + "  (empty)" + N
                        + "exit code:" + N + "  0" + N + "stdout:" + N + "  started");
    }

    @Test
    void hasStdoutIgnoresTrailingLineBreaksOnly() {
        assertThat(result(0, "hello\n", "")).hasStdout("hello").hasStdout("hello\n");
        assertThatThrownBy(() ->
                        assertThat(result(2, "hello world\n", "bad flag\n")).hasStdout("hello"))
                .hasMessage(N + "Expecting stdout of command:" + N + "  'systemctl start app' on web" + N
                        + "to be:" + N + "  \"hello\"" + N + "but was:" + N + "  \"hello world\"" + N
                        + "exit code:" + N + "  2" + N + "stderr:" + N + "  bad flag");
    }

    @Test
    void nullResultIsReported() {
        assertThatThrownBy(() -> assertThat((ExecResult) null).succeeded())
                .hasMessageContaining("Expecting actual not to be null");
    }

    // --- MachineAssert, on real local machines

    @TempDir
    Path temp;

    TransportMachine here;
    TransportMachine loopback;
    TransportMachine unreachable;
    final TestNetwork lo = new TestNetwork("lo", "127.0.0.0/8", InetAddress.getLoopbackAddress(), "lo");

    @BeforeEach
    void machines() throws IOException {
        here = machine("here", InetAddress.getLoopbackAddress());
        loopback = machine("loopback", InetAddress.getLoopbackAddress());
        // in the benchmarking range, assigned to nothing: one ping goes unanswered
        unreachable = machine("nowhere", InetAddress.getByName("198.19.255.254"));
    }

    @AfterEach
    void closeMachines() {
        Stream.of(here, loopback, unreachable).forEach(TransportMachine::close);
    }

    private TransportMachine machine(String name, InetAddress address) {
        Path dir = temp.resolve(name);
        LocalTransport.prepare(dir, name);
        return TransportMachine.builder(name, new LocalTransport(name, dir, "assertions"))
                .address("lo", address)
                .build();
    }

    @Test
    void canReachPingsTheOtherMachinesAddress() {
        assertThat(here).canReach(loopback, lo).answers();
    }

    @Test
    void canReachShowsThePingOutputWhenUnanswered() {
        assertThatThrownBy(() -> assertThat(here).canReach(unreachable, lo))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith(N + "Expecting machine:" + N + "  here" + N + "to reach:" + N
                        + "  nowhere (198.19.255.254) on network lo" + N
                        + "but 'ping -c 1 -W 2 198.19.255.254' exited 1:" + N + "  PING 198.19.255.254")
                .hasMessageContaining("100% packet loss");
    }

    @Test
    void hasFileChecksTheMachinesFileSystem() throws IOException {
        Files.writeString(temp.resolve("here/root/it's here"), "x");
        assertThat(here).hasFile("/it's here").hasFile("/etc/hostname");
        assertThatThrownBy(() -> assertThat(here).hasFile("/etc/missing"))
                .hasMessage(N + "Expecting machine:" + N + "  here" + N + "to have file:" + N + "  /etc/missing" + N
                        + "but it does not exist");
    }

    @Test
    void answersFailsWhenTheMachineCannotRunCommands() {
        TransportMachine broken = TransportMachine.builder(
                        "broken", new LocalTransport("broken", temp.resolve("never-prepared"), "assertions"))
                .build();
        assertThatThrownBy(() -> assertThat(broken).answers())
                .hasMessageStartingWith(N + "Expecting machine:" + N + "  broken" + N + "to answer a command but");
    }
}
