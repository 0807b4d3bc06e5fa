package io.testbed.bench;

import io.testbed.core.journal.TestEvent;
import io.testbed.reports.internal.JournalFixture;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The journals of a large run, written as environments write them (the reports module's {@link JournalFixture}:
 * the real journal and event records on a moved clock): {@value #ENVIRONMENTS} environments of a VM {@code web}
 * and a container {@code box} on a leased network, each with a test class of {@value #TESTS} tests of
 * {@value #COMMANDS_PER_TEST} commands ({@value #COMMANDS} commands in all) and a revert of both machines after each
 * test. Outputs vary as real ones do (seeded, so every run writes the same bytes): most commands print a line or
 * two, some a screenful, a few write to standard error; the VM's console log holds a boot log. One test fails on a
 * failing command, as in a real run with one failure.
 */
final class SyntheticRun {

    static final int ENVIRONMENTS = 50;
    static final int TESTS = 10;
    static final int COMMANDS_PER_TEST = 20;
    static final int COMMANDS = ENVIRONMENTS * TESTS * COMMANDS_PER_TEST;
    /** The environment and test that fail. */
    static final int FAILING_ENVIRONMENT = 7;

    static final int FAILING_TEST = 3;

    private static final String[] COMMAND_LINES = {
        "cat /etc/hostname",
        "ip -br addr show dev eth0",
        "ping -c1 -W2 198.18.7.11",
        "uname -a",
        "wget -qO- http://198.18.7.11:8080/status",
        "ls -l /var/log",
        "sysctl net.ipv4.ip_forward",
        "ps",
        "df -h /",
        "cat /proc/loadavg"
    };

    private SyntheticRun() {}

    /** Writes the run's prefixes ({@code envNN-0a1b2c3d/journal.jsonl}, {@code logs/web-console.log}) under {@code root}. */
    static void write(Path root) {
        Random random = new Random(13);
        for (int e = 0; e < ENVIRONMENTS; e++) {
            try (JournalFixture fixture = new JournalFixture(root, String.format(Locale.ROOT, "env%02d", e))) {
                fixture.provision();
                for (int t = 0; t < TESTS; t++) {
                    String method = "test" + t;
                    boolean fails = e == FAILING_ENVIRONMENT && t == FAILING_TEST;
                    fixture.startTest(method);
                    for (int c = 0; c < COMMANDS_PER_TEST; c++) {
                        if (fails && c == COMMANDS_PER_TEST - 1) {
                            fixture.run(
                                    "web", "ls /no/such/file", 2, "", "ls: /no/such/file: No such file or directory");
                        } else {
                            String command = COMMAND_LINES[random.nextInt(COMMAND_LINES.length)];
                            fixture.run(
                                    c % 2 == 0 ? "web" : "box",
                                    command,
                                    0,
                                    output(random, command),
                                    random.nextInt(8) == 0 ? "warning: " + command + " is deprecated\n" : "");
                        }
                    }
                    fixture.finishTest(
                            method,
                            fails ? TestEvent.Result.FAILED : TestEvent.Result.PASSED,
                            fails
                                    ? "Expecting command:\n  'ls /no/such/file' on web\nto succeed but exit code was:\n"
                                            + "  2\nstderr:\n  ls: /no/such/file: No such file or directory"
                                    : null);
                }
                // JUnit passes a class whose test failed: the class itself ends passed
                fixture.console("web", bootLog()).tearDown(false);
            }
        }
    }

    /** One line (most commands), a few lines, or a screenful (one in ten). */
    private static String output(Random random, String command) {
        int lines = random.nextInt(10) == 0 ? 20 + random.nextInt(60) : 1 + random.nextInt(3);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            out.append(command, 0, Math.min(command.length(), 12))
                    .append(": line ")
                    .append(i)
                    .append(' ')
                    .append("x".repeat(random.nextInt(60)))
                    .append('\n');
        }
        return out.toString();
    }

    private static String bootLog() {
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            log.append(
                    String.format(Locale.ROOT, "[%8.6f] kernel: boot message %d of the tiny guest%n", i * 0.0137, i));
        }
        return log.append("TESTBED READY\n").toString();
    }
}
