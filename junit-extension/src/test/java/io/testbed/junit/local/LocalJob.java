package io.testbed.junit.local;

import io.testbed.core.CommandTimeoutException;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.TestbedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** A background process of a {@link LocalMachine}. */
final class LocalJob implements Job {

    private final int id;
    private final String machine;
    private final String command;
    private final Process process;
    private final Path out;
    private final Path err;
    private final Instant started = Instant.now();

    LocalJob(int id, String machine, String command, Process process, Path out, Path err) {
        this.id = id;
        this.machine = machine;
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String command() {
        return command;
    }

    @Override
    public boolean finished() {
        return !process.isAlive();
    }

    @Override
    public boolean passed() {
        return finished() && process.exitValue() == 0;
    }

    @Override
    public ExecResult waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CommandTimeoutException(machine, command, timeout, read(out), read(err));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("interrupted while waiting for job " + id, e);
        }
        return result();
    }

    @Override
    public ExecResult kill() {
        LocalMachine.kill(process);
        return result();
    }

    private ExecResult result() {
        ExecResult result = new ExecResult(machine, command, process.exitValue(), read(out), read(err),
                Duration.between(started, Instant.now()));
        return result;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
