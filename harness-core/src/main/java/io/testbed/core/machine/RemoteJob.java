package io.testbed.core.machine;

import io.testbed.core.CommandTimeoutException;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.spi.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A background command of a {@link TransportMachine}: its channel stays open and its output is collected as it
 * arrives, so {@link #finished()} and {@link #passed()} only look at a completed future and never block. The
 * end of the job (its exit status, duration and output) is journaled when it happens, for the test that started
 * it.
 */
final class RemoteJob implements Job {

    private final TransportMachine machine;
    private final int id;
    private final String command;
    private final RunOptions options;
    private final Transport.Execution execution;
    private final String runId;
    private final long startNanos;
    private final CompletableFuture<Integer> done;
    private volatile long endNanos;
    private volatile boolean killRequested;

    RemoteJob(
            TransportMachine machine,
            int id,
            String command,
            RunOptions options,
            Transport.Execution execution,
            String runId,
            long startNanos,
            String test) {
        this.machine = machine;
        this.id = id;
        this.command = command;
        this.options = options;
        this.execution = execution;
        this.runId = runId;
        this.startNanos = startNanos;
        // Observers look at 'done', which completes only after the end was timed and logged.
        this.done = execution.exitStatus().whenComplete((status, failure) -> {
            endNanos = System.nanoTime();
            Duration duration = Duration.ofNanos(endNanos - startNanos);
            String stdout = TransportMachine.text(execution.stdout());
            String stderr = ShellScripts.userStderr(TransportMachine.text(execution.stderr()));
            machine.journal()
                    .jobFinished(
                            test,
                            id,
                            command,
                            failure != null ? null : status,
                            failure != null ? String.valueOf(failure.getMessage()) : null,
                            killRequested,
                            duration,
                            stdout,
                            stderr);
        });
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
        return done.isDone();
    }

    @Override
    public boolean passed() {
        if (!done.isDone() || done.isCompletedExceptionally()) {
            return false;
        }
        int status = done.join();
        return status == 0;
    }

    @Override
    public ExecResult waitFor(Duration timeout) {
        try {
            done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CommandTimeoutException(
                    machine.name(),
                    "job " + id + " '" + command + "'",
                    timeout,
                    TransportMachine.text(execution.stdout()),
                    ShellScripts.userStderr(TransportMachine.text(execution.stderr())),
                    "is still running; Job.waitFor leaves it running, call kill() to stop it or wait longer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException(
                    "Interrupted while waiting for job " + id + " '" + command + "' on machine '" + machine.name()
                            + "'; the job keeps running",
                    e);
        } catch (ExecutionException e) {
            throw failed(e);
        }
        return finishedResult();
    }

    @Override
    public synchronized ExecResult kill() {
        String aftermath = "";
        if (!finished()) {
            killRequested = true;
            aftermath = machine.killer().killTree(execution, runId);
        }
        try {
            done.get(ProcessKiller.KILL_GRACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TestbedException(
                    "Job " + id + " '" + command + "' on machine '" + machine.name() + "' " + aftermath);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException(
                    "Interrupted while killing job " + id + " on machine '" + machine.name() + "'", e);
        } catch (ExecutionException e) {
            throw failed(e);
        }
        return finishedResult();
    }

    /** Kills what may be left of the job on the machine when its connection broke while it ran. Never throws. */
    void killLeftoversIfConnectionBroke() {
        if (done.isCompletedExceptionally()) {
            machine.killer().killOrphan(runId);
        }
    }

    /** Releases the channel of a finished job. */
    void release() {
        execution.close();
    }

    private ExecResult finishedResult() {
        int status = done.join();
        ExecResult result = machine.result(command, status, execution, Duration.ofNanos(endNanos - startNanos));
        execution.close();
        machine.checkWorkDir(result, status, execution, options);
        return result;
    }

    private TestbedException failed(ExecutionException e) {
        TestbedException cause =
                Transport.Execution.unwrap(e, machine.transport().target());
        return new TestbedException(
                "Job " + id + " '" + command + "' on machine '" + machine.name() + "' did not complete: "
                        + cause.getMessage(),
                cause);
    }

    @Override
    public String toString() {
        return "job " + id + " '" + command + "' on " + machine.name() + (finished() ? " (finished)" : " (running)");
    }
}
