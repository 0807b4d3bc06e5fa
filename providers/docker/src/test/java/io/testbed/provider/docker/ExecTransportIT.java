package io.testbed.provider.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import io.testbed.core.TestbedException;
import io.testbed.core.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Transport} contract of {@link ExecTransport}, against one plain container of the tiny image. */
class ExecTransportIT {

    @TempDir
    static Path temp;

    private static DockerClient docker;
    private static String container;
    private static ExecTransport transport;

    @BeforeAll
    static void startContainer() {
        docker = DockerTestSupport.docker();
        String image = TinyImage.ensure(
                docker, DockerTestSupport.config(temp).asMap(), line -> System.out.println("[image] " + line));
        container = "tb-exectest-" + UUID.randomUUID().toString().substring(0, 8);
        docker.createContainerCmd(image)
                .withName(container)
                .withEntrypoint("/bin/sh", "-c")
                .withCmd(DockerMachine.KEEP_ALIVE)
                .exec();
        docker.startContainerCmd(container).exec();
        transport = new ExecTransport(docker, container);
        transport.awaitReady(Duration.ofSeconds(30));
    }

    @AfterAll
    static void removeContainer() {
        if (container != null) {
            docker.removeContainerCmd(container).withForce(true).exec();
        }
    }

    @Test
    void aMegabyteOfStandardInputArrivesExactlyAndIsFollowedByEndOfFile() {
        byte[] input = new byte[1 << 20];
        Arrays.fill(input, (byte) 'x');
        input[input.length - 1] = '\n';
        Transport.Outcome outcome = transport.run("wc -c; echo after", input, Duration.ofSeconds(30));
        assertThat(outcome.timedOut()).isFalse();
        assertThat(outcome.stdoutText().lines().map(String::strip).toList()).containsExactly("1048576", "after");
        assertThat(outcome.exitStatus()).isZero();
    }

    @Test
    void largeStandardOutputAndErrorArriveCompleteAndApart() {
        Transport.Outcome outcome = transport.run(
                "yes out | head -c 300000; yes err | head -c 200000 >&2; exit 7", null, Duration.ofSeconds(30));
        assertThat(outcome.exitStatus()).isEqualTo(7);
        assertThat(outcome.stdout()).hasSize(300000);
        assertThat(new String(outcome.stdout(), StandardCharsets.UTF_8)).doesNotContain("err");
        assertThat(outcome.stderr()).hasSize(200000);
    }

    @Test
    void aCommandKilledBySignalReports128PlusTheSignal() {
        assertThat(transport.run("kill -9 $$", null, Duration.ofSeconds(10)).exitStatus())
                .isEqualTo(137);
        assertThat(transport.run("kill -15 $$", null, Duration.ofSeconds(10)).exitStatus())
                .isEqualTo(143);
    }

    @Test
    void runReportsATimeoutWithoutWaitingForTheCommand() {
        long start = System.nanoTime();
        Transport.Outcome outcome = transport.run("echo started; sleep 5", null, Duration.ofMillis(500));
        assertThat(outcome.timedOut()).isTrue();
        assertThat(outcome.exitStatus()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void droppingTheConnectionFailsRunningCommands() throws Exception {
        Transport.Execution execution = transport.exec("sleep 30", null);
        Thread.sleep(200);
        transport.dropConnection();
        assertThatThrownBy(() -> execution.exitStatus().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TestbedException.class);
        transport.run("pkill -f 'sleep 30' || killall sleep || true", null, Duration.ofSeconds(10));
        assertThat(transport.run("true", null, Duration.ofSeconds(10)).exitStatus())
                .as("usable afterwards")
                .isZero();
    }

    @Test
    void aMissingContainerFailsAtOnceNamingIt() {
        ExecTransport missing = new ExecTransport(docker, "tb-no-such-container");
        long start = System.nanoTime();
        assertThatThrownBy(() -> missing.awaitReady(Duration.ofSeconds(30)))
                .isInstanceOf(TestbedException.class)
                .hasMessageContaining("tb-no-such-container")
                .hasMessageContaining("does not exist");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aClosedTransportRefusesWorkAndClosingTwiceIsHarmless() {
        ExecTransport other = new ExecTransport(docker, container);
        other.run("true", null, Duration.ofSeconds(10));
        other.close();
        other.close();
        assertThatThrownBy(() -> other.exec("true", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(container);
        assertThat(other.target()).isEqualTo("container " + container);
    }
}
