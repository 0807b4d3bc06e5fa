package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.junit.Host;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Background jobs: commands that run while the test goes on, started with {@link Machine#start(String)}.
 *
 * <p>Shows:
 * <ul>
 *   <li>a long job that is killed with {@link Job#kill()}: the command dies with every process it started,
 *       and the test proves they are gone;</li>
 *   <li>a job that finishes by itself and passes: a one-shot TCP listener ({@code nc -l}) on {@code db} that
 *       receives a line from {@code web}; {@link Job#waitFor} returns its output;</li>
 *   <li>the same {@link TwoNodeLan} topology as {@link DataDiskIT}, in an environment of its own.</li>
 * </ul>
 * Jobs still running when a test ends are killed by the harness before the revert, so no test has to clean up.
 */
@TwoNodeLan
class BackgroundJobsIT {

    /** Long enough never to end by itself during a test. */
    private static final String FOREVER = "3600";

    @Test
    void aLongJobIsKilledWithItsChildren(@Host("web") Machine web) {
        // one sleep in the background (a child), one orphaned (its subshell exits at once), one in the foreground
        Job sleepers = web.start("sleep " + FOREVER + " & (sleep " + FOREVER + " &); sleep " + FOREVER);
        waitUntil(web, "[ $(pidof sleep | wc -w) -eq 3 ]");
        assertThat(sleepers.finished()).isFalse();

        sleepers.kill();

        assertThat(sleepers.finished()).isTrue();
        assertThat(sleepers.passed()).isFalse();
        assertThat(web.run("pidof sleep")).failed(); // no sleep left, not even the orphan
    }

    @Test
    void aJobThatFinishesPasses(@Host("web") Machine web, @Host("db") Machine db) {
        Job listener = db.start("nc -l -p 9000");
        waitUntil(db, "netstat -ltn | grep -q ':9000 '");

        assertThat(web.run("echo 'hello db' | nc db 9000")).succeeded();

        ExecResult received = listener.waitFor(Duration.ofSeconds(30));
        assertThat(received).succeeded().hasStdout("hello db");
        assertThat(listener.passed()).isTrue();
    }

    /** Polls {@code condition} (a shell test) on the machine every 0.1 s until it holds, for at most 30 s. */
    private static void waitUntil(Machine machine, String condition) {
        machine.run(
                "until " + condition + "; do usleep 100000; done",
                RunOptions.expectSuccess().withTimeout(Duration.ofSeconds(30)));
    }
}
