package io.testbed.core.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apiguardian.api.API;

/**
 * What a test did on a machine: commands, background jobs, file copies, port waits and setting changes. Each names
 * the {@link #test()} it belongs to — JUnit's unique id of the running test, or of the test class for what ran in
 * {@code @BeforeAll}/{@code @AfterAll}; null outside tests (provisioning). Environment variables appear by name only,
 * never with their values (they may be secrets); standard input and file contents are never recorded; output is
 * kept up to {@link #OUTPUT_CAP} characters per stream.
 */
@API(status = API.Status.EXPERIMENTAL)
public sealed interface CommandEvent extends Event {

    /** The most characters of a command's standard output or error kept in the journal. */
    int OUTPUT_CAP = 64 * 1024;

    /** The unique id of the test (or test class) it belongs to; null outside tests. */
    String test();

    /** The machine's name. */
    String machine();

    /** {@code text} cut to {@link #OUTPUT_CAP} characters, with a marker saying how much was cut. */
    static String capped(String text) {
        if (text == null || text.length() <= OUTPUT_CAP) {
            return text;
        }
        return text.substring(0, OUTPUT_CAP) + "\n[testbed: " + (text.length() - OUTPUT_CAP)
                + " more characters not kept in the journal]";
    }

    /** Why a command ran: the test's own, or the harness's helpers. */
    enum Purpose {
        /** {@code Machine.run}. */
        RUN,
        /** Reading and writing a setting ({@code setSysctl}, {@code writeSysfs}). */
        SET,
        /** Writing back a setting's old value after a test. */
        RESTORE,
        /** Killing the processes of a command that timed out or a job. */
        KILL
    }

    /** How a command or job ended. */
    enum Outcome {
        EXITED,
        TIMED_OUT,
        INTERRUPTED,
        ERROR
    }

    /**
     * A command ran to its end: {@code exitCode} when it {@code EXITED} (else null, and {@code error} says what
     * happened), its capped output, the working directory if one was given and the names of its environment
     * variables.
     */
    record CommandRun(
            Instant time,
            String environment,
            String test,
            String machine,
            Purpose purpose,
            String command,
            String workDir,
            List<String> envNames,
            Outcome outcome,
            Integer exitCode,
            String error,
            Duration duration,
            String stdout,
            String stderr)
            implements CommandEvent {
        public CommandRun {
            envNames = envNames == null ? List.of() : List.copyOf(envNames);
            stdout = capped(stdout);
            stderr = capped(stderr);
        }
    }

    /** Background job {@code job} started (or could not start: {@code error} is set). */
    record JobStarted(
            Instant time,
            String environment,
            String test,
            String machine,
            int job,
            String command,
            String workDir,
            List<String> envNames,
            Duration duration,
            String error)
            implements CommandEvent {
        public JobStarted {
            envNames = envNames == null ? List.of() : List.copyOf(envNames);
        }
    }

    /**
     * Background job {@code job} ended {@code duration} after it started; {@code killed} when the harness or the test
     * killed it; {@code test} is the test that started it.
     */
    record JobFinished(
            Instant time,
            String environment,
            String test,
            String machine,
            int job,
            String command,
            Outcome outcome,
            Integer exitCode,
            String error,
            boolean killed,
            Duration duration,
            String stdout,
            String stderr)
            implements CommandEvent {
        public JobFinished {
            stdout = capped(stdout);
            stderr = capped(stderr);
        }
    }

    /** Which way a file went. */
    enum Direction {
        UPLOAD,
        DOWNLOAD
    }

    /** A file was copied from {@code source} to {@code target} ({@code error} set when it failed). */
    record FileCopied(
            Instant time,
            String environment,
            String test,
            String machine,
            Direction direction,
            String source,
            String target,
            Duration duration,
            String error)
            implements CommandEvent {}

    /** {@code waitForPort}: {@code address:port} accepted a connection ({@code open}) or not in time. */
    record PortWaited(
            Instant time,
            String environment,
            String test,
            String machine,
            String address,
            int port,
            boolean open,
            Duration duration)
            implements CommandEvent {}

    /** Setting {@code setting} (e.g. {@code sysctl net.ipv4.ip_forward}) was set to {@code value}; it was {@code oldValue}. */
    record SettingChanged(
            Instant time,
            String environment,
            String test,
            String machine,
            String setting,
            String value,
            String oldValue)
            implements CommandEvent {}

    /** Setting {@code setting} was written back to {@code value} after a test ({@code error} set when it failed). */
    record SettingRestored(
            Instant time, String environment, String test, String machine, String setting, String value, String error)
            implements CommandEvent {}
}
