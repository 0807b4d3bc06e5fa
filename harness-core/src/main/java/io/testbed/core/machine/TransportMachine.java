package io.testbed.core.machine;

import io.testbed.core.CommandFailedException;
import io.testbed.core.CommandTimeoutException;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.MachineControl;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.spi.Transport;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apiguardian.api.API;

/**
 * The one {@link Machine} implementation, for VMs, SSH hosts and containers alike: everything is built on the
 * few primitives of a {@link Transport}.
 *
 * <ul>
 *   <li>Commands run through a small POSIX-sh wrapper (busybox {@code ash} is enough) that runs the command in
 *       place (no extra process and no output of its own: under TCG one more process costs half of a whole
 *       command) and marks it with a random run id in the environment variable {@code TESTBED_RUN}. On a
 *       timeout, an interrupt or {@link Job#kill()} every process carrying that id, or descending from one, is
 *       frozen and killed through a second command, so children die too, also a command that {@code exec}s or
 *       an orphan that left the process tree — and nothing else, whatever its pid.</li>
 *   <li>Environment values reach the machine on standard input, never in a command line or a log; the
 *       environment's {@link Journal} gets each command as a {@link CommandEvent} with its exit status, duration,
 *       capped output, working directory, the <em>names</em> of its environment variables and the test it
 *       belongs to.</li>
 *   <li>Background jobs keep their channel open; their output is collected in memory as it arrives.</li>
 *   <li>{@link #setSysctl} and {@link #writeSysfs} read the old value and write the new one in a single
 *       command, and record the old value only once the write succeeded.</li>
 * </ul>
 *
 * <p>Lifecycle: built by a provider once its transport answers; the machine owns the transport and
 * {@link #close()} closes it. Thread-safe.
 */
@API(status = API.Status.INTERNAL)
public final class TransportMachine implements Machine, MachineControl, AutoCloseable {

    /** Time limit of the small helper commands (kill, settings). */
    static final Duration HELPER_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Set<String> roles;
    private final Map<String, String> properties;
    private final Map<String, InetAddress> addresses;
    private final Transport transport;
    private final MachineJournal journal;
    private final ProcessKiller killer;
    private final PortProbe portProbe;
    private final MachineSettings settings;
    private final AtomicInteger jobIds = new AtomicInteger();
    private final List<RemoteJob> jobs = new ArrayList<>();

    TransportMachine(TransportMachineBuilder b) {
        this.name = b.name;
        this.roles = Set.copyOf(b.roles);
        this.properties = Map.copyOf(b.properties);
        this.addresses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.addresses));
        this.transport = b.transport;
        this.journal = new MachineJournal(b.journal, b.name);
        this.killer = new ProcessKiller(name, transport, journal);
        this.portProbe = new PortProbe(
                name,
                b.probeAddress != null
                        ? b.probeAddress
                        : addresses.values().stream().findFirst().orElse(null),
                journal);
        this.settings = new MachineSettings(
                name, journal, (purpose, display, script) -> execute(purpose, display, script, helperOptions()));
    }

    /**
     * Starts building a machine named {@code name} that runs everything through {@code transport}.
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public static TransportMachineBuilder builder(String name, Transport transport) {
        return new TransportMachineBuilder(name, transport);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> roles() {
        return roles;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    /** The transport this machine runs on (for providers, e.g. to {@link Transport#awaitReady} after a revert). */
    public Transport transport() {
        return transport;
    }

    @Override
    public InetAddress address(String network) {
        InetAddress address = addresses.get(network);
        if (address == null) {
            throw new IllegalArgumentException("Machine '" + name + "' has no address on network '" + network
                    + "'; its networks are " + addresses.keySet() + ". Attach it to that network in the"
                    + " environment's declaration or ask for one of these.");
        }
        return address;
    }

    @Override
    public ExecResult run(String command, RunOptions options) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        ExecResult result = execute(CommandEvent.Purpose.RUN, command, command, options);
        if (options.expectation() == RunOptions.Expectation.SUCCESS && !result.succeeded()
                || options.expectation() == RunOptions.Expectation.FAILURE && result.succeeded()) {
            throw new CommandFailedException(result, options.expectation());
        }
        return result;
    }

    @Override
    public Job start(String command, RunOptions options) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(options, "options");
        String runId = runId();
        ShellScripts.Wrapped wrapped = ShellScripts.wrap(command, options.workDir(), options.env(), runId);
        int id = jobIds.incrementAndGet();
        long start = System.nanoTime();
        Transport.Execution execution;
        try {
            execution = transport.exec(wrapped.script(), wrapped.stdin());
        } catch (TestbedException e) {
            journal.jobStarted(id, command, options, elapsed(start), e.getMessage());
            throw new TestbedException(
                    "Cannot start job '" + command + "' on machine '" + name + "': " + e.getMessage(), e);
        }
        journal.jobStarted(id, command, options, elapsed(start), null);
        RemoteJob job = new RemoteJob(this, id, command, options, execution, runId, start, journal.currentTest());
        synchronized (jobs) {
            jobs.removeIf(RemoteJob::finished);
            jobs.add(job);
        }
        return job;
    }

    @Override
    public void killJobs() {
        List<RemoteJob> running;
        synchronized (jobs) {
            running = new ArrayList<>(jobs);
            jobs.clear();
        }
        List<String> failures = new ArrayList<>();
        for (RemoteJob job : running) {
            if (job.finished()) {
                job.killLeftoversIfConnectionBroke();
                job.release();
                continue;
            }
            try {
                job.kill();
            } catch (TestbedException e) {
                failures.add("job " + job.id() + " '" + job.command() + "': " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new TestbedException("Could not kill " + failures.size() + " background job(s) on machine '" + name
                    + "':\n  " + String.join("\n  ", failures)
                    + "\nThey may still run; the machine's next revert or teardown ends them.");
        }
    }

    @Override
    public void upload(Path local, String remotePath) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remotePath, "remotePath");
        copy(CommandEvent.Direction.UPLOAD, local.toString(), remotePath, () -> transport.upload(local, remotePath));
    }

    @Override
    public void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        copy(
                CommandEvent.Direction.DOWNLOAD,
                remotePath,
                local.toString(),
                () -> transport.download(remotePath, local));
    }

    /** Runs one copy and journals it, with the error when it fails (which is then rethrown). */
    private void copy(CommandEvent.Direction direction, String source, String target, Runnable copy) {
        long start = System.nanoTime();
        try {
            copy.run();
        } catch (RuntimeException e) {
            journal.fileCopied(direction, source, target, elapsed(start), e.getMessage());
            throw e;
        }
        journal.fileCopied(direction, source, target, elapsed(start), null);
    }

    @Override
    public void setSysctl(String key, String value) {
        settings.change("sysctl " + key, ShellScripts.sysctlPath(key), value);
    }

    @Override
    public void writeSysfs(String path, String value) {
        settings.change("sysfs " + path, ShellScripts.checkSettingPath(path), value);
    }

    @Override
    public void restoreSettings() {
        settings.restore();
    }

    @Override
    public void waitForPort(int port, Duration timeout) {
        portProbe.await(port, timeout);
    }

    /**
     * Kills running jobs (best effort) and closes the transport. Recorded settings are not restored: the harness
     * calls {@link #restoreSettings()} first when the machine outlives its test. Idempotent.
     */
    @Override
    public void close() {
        try {
            killJobs();
        } catch (TestbedException e) {
            System.err.println("Testbed: " + e.getMessage());
        } finally {
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "machine " + name + " (" + transport.target() + ")";
    }

    /**
     * Runs a wrapped command to its end or its timeout, journaling it for {@code purpose} with {@code display} as
     * the command text. Does not check the expectation.
     */
    private ExecResult execute(CommandEvent.Purpose purpose, String display, String command, RunOptions options) {
        String runId = runId();
        ShellScripts.Wrapped wrapped = ShellScripts.wrap(command, options.workDir(), options.env(), runId);
        long start = System.nanoTime();
        Transport.Execution execution;
        try {
            execution = transport.exec(wrapped.script(), wrapped.stdin());
        } catch (TestbedException e) {
            journal.commandRan(
                    purpose,
                    display,
                    options,
                    CommandEvent.Outcome.ERROR,
                    null,
                    e.getMessage(),
                    elapsed(start),
                    null,
                    null);
            throw new TestbedException("Cannot run '" + display + "' on machine '" + name + "': " + e.getMessage(), e);
        }
        try (execution) {
            int status;
            try {
                status = execution.exitStatus().get(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                String aftermath = killer.killTree(execution, runId);
                if (aftermath.equals(ProcessKiller.ALREADY_FINISHED)
                        && !execution.exitStatus().isCompletedExceptionally()) {
                    status = execution.exitStatus().join(); // it ended just as the timeout elapsed: keep its result
                } else {
                    journal.commandRan(
                            purpose,
                            display,
                            options,
                            CommandEvent.Outcome.TIMED_OUT,
                            null,
                            "timed out after " + options.timeout().toMillis() + " ms; it " + aftermath,
                            elapsed(start),
                            text(execution.stdout()),
                            ShellScripts.userStderr(text(execution.stderr())));
                    throw new CommandTimeoutException(
                            name,
                            display,
                            options.timeout(),
                            text(execution.stdout()),
                            ShellScripts.userStderr(text(execution.stderr())),
                            aftermath.equals(ProcessKiller.KILLED)
                                    ? "was killed with everything it started; raise RunOptions.timeout if it needs"
                                            + " longer"
                                    : aftermath);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                String aftermath = killer.killTree(execution, runId);
                journal.commandRan(
                        purpose,
                        display,
                        options,
                        CommandEvent.Outcome.INTERRUPTED,
                        null,
                        "interrupted; it " + aftermath,
                        elapsed(start),
                        text(execution.stdout()),
                        ShellScripts.userStderr(text(execution.stderr())));
                throw new TestbedException(
                        "Interrupted while '" + display + "' ran on machine '" + name + "'; it " + aftermath, e);
            } catch (ExecutionException e) {
                TestbedException cause = Transport.Execution.unwrap(e, transport.target());
                journal.commandRan(
                        purpose,
                        display,
                        options,
                        CommandEvent.Outcome.ERROR,
                        null,
                        cause.getMessage(),
                        elapsed(start),
                        text(execution.stdout()),
                        ShellScripts.userStderr(text(execution.stderr())));
                killer.killOrphan(runId);
                throw new TestbedException(
                        "'" + display + "' on machine '" + name + "' did not complete: " + cause.getMessage(), cause);
            }
            ExecResult result = result(display, status, execution, elapsed(start));
            journal.commandRan(
                    purpose,
                    display,
                    options,
                    CommandEvent.Outcome.EXITED,
                    status,
                    null,
                    result.duration(),
                    result.stdout(),
                    result.stderr());
            checkWorkDir(result, status, execution, options);
            return result;
        }
    }

    ExecResult result(String command, int status, Transport.Execution execution, Duration duration) {
        return new ExecResult(
                name,
                command,
                status,
                text(execution.stdout()),
                ShellScripts.userStderr(text(execution.stderr())),
                duration);
    }

    void checkWorkDir(ExecResult result, int status, Transport.Execution execution, RunOptions options) {
        if (ShellScripts.workDirMissing(status, text(execution.stderr()))) {
            throw new TestbedException("Working directory '" + options.workDir().orElse("?") + "' of '"
                    + result.command() + "' cannot be entered on machine '" + name + "': "
                    + result.stderr().strip()
                    + ". Create it first (e.g. run(\"mkdir -p …\")) or fix RunOptions.workDir.");
        }
    }

    /** Kills the processes of this machine's commands. */
    ProcessKiller killer() {
        return killer;
    }

    MachineJournal journal() {
        return journal;
    }

    private static RunOptions helperOptions() {
        return RunOptions.builder().timeout(HELPER_TIMEOUT).build();
    }

    /** 64 random bits in hex: a command's run id, unique enough that no other process on the machine has it. */
    private static String runId() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
