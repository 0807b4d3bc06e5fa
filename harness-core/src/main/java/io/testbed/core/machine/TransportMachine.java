package io.testbed.core.machine;

import io.testbed.core.CommandFailedException;
import io.testbed.core.CommandTimeoutException;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.spi.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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
@API(status = API.Status.EXPERIMENTAL)
public final class TransportMachine implements Machine, AutoCloseable {

    /** How long to keep killing a command, until its channel closes, after deciding to kill it. */
    static final Duration KILL_GRACE = Duration.ofSeconds(10);
    /** How long to wait for a command's channel to close after a kill round before searching again. */
    static final Duration KILL_ROUND = Duration.ofMillis(500);
    /** {@link #killTree} outcome: processes of the command were killed and its channel closed. */
    static final String KILLED = "was killed";
    /** {@link #killTree} outcome: the command ended before any process of it was found. */
    static final String ALREADY_FINISHED = "had already finished";
    /** Time limit of the small helper commands (kill, settings). */
    static final Duration HELPER_TIMEOUT = Duration.ofSeconds(60);
    /** Per-attempt connect timeout of {@link #waitForPort}. */
    static final Duration PORT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Pause between attempts of {@link #waitForPort}. */
    static final Duration PORT_POLL_INTERVAL = Duration.ofMillis(100);

    private final String name;
    private final Set<String> roles;
    private final Map<String, String> properties;
    private final Map<String, InetAddress> addresses;
    private final InetAddress probeAddress;
    private final Transport transport;
    private final MachineJournal journal;
    private final SettingsLedger ledger = new SettingsLedger();
    private final AtomicInteger jobIds = new AtomicInteger();
    private final List<RemoteJob> jobs = new ArrayList<>();

    private TransportMachine(Builder b) {
        this.name = b.name;
        this.roles = Set.copyOf(b.roles);
        this.properties = Map.copyOf(b.properties);
        this.addresses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.addresses));
        this.probeAddress = b.probeAddress != null ? b.probeAddress
                : addresses.values().stream().findFirst().orElse(null);
        this.transport = b.transport;
        this.journal = new MachineJournal(b.journal, b.name);
    }

    /**
     * Starts building a machine named {@code name} that runs everything through {@code transport}.
     *
     * @throws IllegalArgumentException when the name is blank
     */
    public static Builder builder(String name, Transport transport) {
        return new Builder(name, transport);
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
            throw new TestbedException("Cannot start job '" + command + "' on machine '" + name + "': "
                    + e.getMessage(), e);
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
        long start = System.nanoTime();
        try {
            transport.upload(local, remotePath);
        } catch (RuntimeException e) {
            journal.fileCopied(CommandEvent.Direction.UPLOAD, local.toString(), remotePath, elapsed(start),
                    e.getMessage());
            throw e;
        }
        journal.fileCopied(CommandEvent.Direction.UPLOAD, local.toString(), remotePath, elapsed(start), null);
    }

    @Override
    public void download(String remotePath, Path local) {
        Objects.requireNonNull(remotePath, "remotePath");
        Objects.requireNonNull(local, "local");
        long start = System.nanoTime();
        try {
            transport.download(remotePath, local);
        } catch (RuntimeException e) {
            journal.fileCopied(CommandEvent.Direction.DOWNLOAD, remotePath, local.toString(), elapsed(start),
                    e.getMessage());
            throw e;
        }
        journal.fileCopied(CommandEvent.Direction.DOWNLOAD, remotePath, local.toString(), elapsed(start), null);
    }

    @Override
    public void setSysctl(String key, String value) {
        changeSetting("sysctl " + key, ShellScripts.sysctlPath(key), value);
    }

    @Override
    public void writeSysfs(String path, String value) {
        changeSetting("sysfs " + path, ShellScripts.checkSettingPath(path), value);
    }

    private void changeSetting(String description, String path, String value) {
        Objects.requireNonNull(value, "value of " + description);
        if (value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("value for " + description + " (" + ShellScripts.abbreviate(value)
                    + ") must be a single line");
        }
        ExecResult result = execute(CommandEvent.Purpose.SET, description + "=" + value,
                ShellScripts.readThenWriteScript(path, value), helperOptions());
        if (!result.succeeded()) {
            throw new TestbedException("Cannot set " + description + " to '" + value + "' on machine '" + name
                    + "' (exit " + result.exitCode() + "): " + result.stderr().strip()
                    + ". Check that " + path + " exists there and that the machine's user may write it"
                    + " (usually root).");
        }
        String oldValue = ShellScripts.restorableValue(result.stdout());
        ledger.record(new SettingsLedger.Change(description, path, oldValue));
        journal.settingChanged(description, value, oldValue);
    }

    @Override
    public void restoreSettings() {
        List<String> failures = new ArrayList<>();
        for (SettingsLedger.Change change : ledger.drainNewestFirst()) {
            try {
                ExecResult result = execute(CommandEvent.Purpose.RESTORE, change.description() + "="
                        + change.oldValue(), ShellScripts.writeScript(change.path(), change.oldValue()),
                        helperOptions());
                if (!result.succeeded()) {
                    failures.add(change.description() + " back to '" + change.oldValue() + "': exit "
                            + result.exitCode() + ", " + result.stderr().strip());
                }
                journal.settingRestored(change.description(), change.oldValue(), result.succeeded() ? null
                        : "exit " + result.exitCode() + ", " + result.stderr().strip());
            } catch (TestbedException e) {
                failures.add(change.description() + " back to '" + change.oldValue() + "': " + e.getMessage());
                journal.settingRestored(change.description(), change.oldValue(), e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new TestbedException("Could not restore " + failures.size() + " setting(s) on machine '" + name
                    + "':\n  " + String.join("\n  ", failures)
                    + "\nThey stay changed until the machine is reverted or recreated.");
        }
    }

    @Override
    public void waitForPort(int port, Duration timeout) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port (" + port + ") must be between 1 and 65535");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
        }
        if (probeAddress == null) {
            throw new TestbedException("Machine '" + name + "' has no address the test JVM can reach, so"
                    + " waitForPort(" + port + ") cannot connect; give it a network or a probe address");
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        IOException last = null;
        int attempts = 0;
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 && attempts > 0) {
                break;
            }
            attempts++;
            int connectMillis = (int) Math.max(1, Math.min(PORT_CONNECT_TIMEOUT.toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(Math.max(remaining, 0))));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(probeAddress, port), connectMillis);
                journal.portWaited(probeAddress.getHostAddress(), port, true, elapsed(start));
                return;
            } catch (IOException e) {
                last = e;
            }
            long pause = Math.min(PORT_POLL_INTERVAL.toNanos(), deadline - System.nanoTime());
            if (pause > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TestbedException("Interrupted while waiting for port " + port + " of machine '" + name
                            + "'", e);
                }
            }
        }
        journal.portWaited(probeAddress.getHostAddress(), port, false, elapsed(start));
        throw new TestbedException("Port " + port + " of machine '" + name + "' (" + probeAddress.getHostAddress()
                + ") did not accept a TCP connection within " + timeout.toMillis() + " ms (" + attempts
                + " attempts, last error: " + last + "). Check that the service started and listens on that"
                + " address (e.g. run 'netstat -ltn' on the machine), or raise the timeout if it starts slowly.");
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
            journal.commandRan(purpose, display, options, CommandEvent.Outcome.ERROR, null, e.getMessage(),
                    elapsed(start), null, null);
            throw new TestbedException("Cannot run '" + display + "' on machine '" + name + "': " + e.getMessage(), e);
        }
        try (execution) {
            int status;
            try {
                status = execution.exitStatus().get(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                String aftermath = killTree(execution, runId);
                if (aftermath.equals(ALREADY_FINISHED) && !execution.exitStatus().isCompletedExceptionally()) {
                    status = execution.exitStatus().join(); // it ended just as the timeout elapsed: keep its result
                } else {
                    journal.commandRan(purpose, display, options, CommandEvent.Outcome.TIMED_OUT, null,
                            "timed out after " + options.timeout().toMillis() + " ms; it " + aftermath, elapsed(start),
                            text(execution.stdout()), ShellScripts.userStderr(text(execution.stderr())));
                    throw new CommandTimeoutException(name, display, options.timeout(), text(execution.stdout()),
                            ShellScripts.userStderr(text(execution.stderr())), aftermath.equals(KILLED)
                                    ? "was killed with everything it started; raise RunOptions.timeout if it needs"
                                            + " longer"
                                    : aftermath);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                String aftermath = killTree(execution, runId);
                journal.commandRan(purpose, display, options, CommandEvent.Outcome.INTERRUPTED, null, "interrupted; it "
                        + aftermath, elapsed(start), text(execution.stdout()),
                        ShellScripts.userStderr(text(execution.stderr())));
                throw new TestbedException("Interrupted while '" + display + "' ran on machine '" + name + "'; it "
                        + aftermath, e);
            } catch (ExecutionException e) {
                TestbedException cause = Transport.Execution.unwrap(e, transport.target());
                journal.commandRan(purpose, display, options, CommandEvent.Outcome.ERROR, null, cause.getMessage(),
                        elapsed(start), text(execution.stdout()), ShellScripts.userStderr(text(execution.stderr())));
                killOrphan(runId);
                throw new TestbedException("'" + display + "' on machine '" + name + "' did not complete: "
                        + cause.getMessage(), cause);
            }
            ExecResult result = result(display, status, execution, elapsed(start));
            journal.commandRan(purpose, display, options, CommandEvent.Outcome.EXITED, status, null, result.duration(),
                    result.stdout(), result.stderr());
            checkWorkDir(result, status, execution, options);
            return result;
        }
    }

    ExecResult result(String command, int status, Transport.Execution execution, Duration duration) {
        return new ExecResult(name, command, status, text(execution.stdout()),
                ShellScripts.userStderr(text(execution.stderr())), duration);
    }

    void checkWorkDir(ExecResult result, int status, Transport.Execution execution, RunOptions options) {
        if (ShellScripts.workDirMissing(status, text(execution.stderr()))) {
            throw new TestbedException("Working directory '" + options.workDir().orElse("?") + "' of '"
                    + result.command() + "' cannot be entered on machine '" + name + "': " + result.stderr().strip()
                    + ". Create it first (e.g. run(\"mkdir -p …\")) or fix RunOptions.workDir.");
        }
    }

    /**
     * Kills every process of a running execution and waits for its end. Returns what happened, completing
     * "the command …": {@code was killed}, {@code had already finished}, or why it could not be killed.
     *
     * <p>Searches and kills in rounds until the channel closes: a command whose channel was just opened may not
     * have started on the machine yet, so the first round can find nothing.
     */
    String killTree(Transport.Execution execution, String runId) {
        long deadline = System.nanoTime() + KILL_GRACE.toNanos();
        int rounds = 0;
        boolean found = false;
        while (!execution.exitStatus().isDone()) {
            if (System.nanoTime() > deadline) {
                execution.close();
                return found ? "was sent SIGKILL but its channel did not close within " + KILL_GRACE.toSeconds()
                        + " s (run " + runId + ")"
                        : "may still be running: no process of it (environment TESTBED_RUN=" + runId + ") was found"
                                + " within " + KILL_GRACE.toSeconds() + " s, so it could not be killed (is /proc"
                                + " mounted, and grep installed on the machine?)";
            }
            rounds++;
            try {
                found |= !killRound(runId, "run " + runId).isEmpty();
            } catch (TestbedException e) {
                return "may still be running: killing it (run " + runId + ") failed: " + e.getMessage();
            }
            try {
                execution.exitStatus().get(Math.min(KILL_ROUND.toNanos() * rounds,
                        Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // not closed yet: search again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return found ? "was sent SIGKILL" : "may still be running: interrupted while killing it";
            } catch (ExecutionException e) {
                return "was killed (its connection broke meanwhile)";
            }
        }
        return found ? KILLED : ALREADY_FINISHED;
    }

    /**
     * Best effort after a command's connection broke: its processes may still run on the machine (an SSH host
     * keeps them; a reverted VM does not), so kill them over a fresh connection. Never throws.
     */
    void killOrphan(String runId) {
        try {
            killRound(runId, "leftovers of run " + runId);
        } catch (RuntimeException e) {
            // logged by killRound; best effort
        }
    }

    /**
     * Runs the kill script for {@code runId} once and logs it as {@code what}. Returns the pids it killed, empty
     * when it found none.
     *
     * @throws RuntimeException what the transport threw (logged first)
     */
    private String killRound(String runId, String what) {
        long start = System.nanoTime();
        try {
            Transport.Outcome outcome = transport.run(ShellScripts.killScript(runId), null, HELPER_TIMEOUT);
            String killed = text(outcome.stdout()).strip();
            journal.commandRan(CommandEvent.Purpose.KILL, what, RunOptions.defaults(), outcome.timedOut()
                    ? CommandEvent.Outcome.TIMED_OUT : CommandEvent.Outcome.EXITED, outcome.timedOut() ? null
                    : outcome.exitStatus(), null, elapsed(start), killed, null);
            return killed;
        } catch (RuntimeException e) {
            journal.commandRan(CommandEvent.Purpose.KILL, what, RunOptions.defaults(), CommandEvent.Outcome.ERROR, null,
                    e.getMessage(), elapsed(start), null, null);
            throw e;
        }
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

    /** Builder for {@link TransportMachine}; each setter validates at once. */
    public static final class Builder {
        private final String name;
        private final Transport transport;
        private Set<String> roles = Set.of();
        private Map<String, String> properties = Map.of();
        private final Map<String, InetAddress> addresses = new LinkedHashMap<>();
        private InetAddress probeAddress;
        private Journal journal;

        private Builder(String name, Transport transport) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("machine name (" + name + ") must not be blank");
            }
            this.name = name;
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        /** The machine's roles. */
        public Builder roles(Set<String> roles) {
            this.roles = Set.copyOf(roles);
            return this;
        }

        /** The machine's free-form properties. */
        public Builder properties(Map<String, String> properties) {
            this.properties = Map.copyOf(properties);
            return this;
        }

        /** Adds the machine's address on a network; the first one added is also the default probe address. */
        public Builder address(String network, InetAddress address) {
            if (network == null || network.isBlank()) {
                throw new IllegalArgumentException("network name (" + network + ") must not be blank");
            }
            Objects.requireNonNull(address, "address on network " + network);
            if (addresses.putIfAbsent(network, address) != null) {
                throw new IllegalArgumentException("machine '" + name + "' already has an address on network '"
                        + network + "' (" + addresses.get(network).getHostAddress() + ")");
            }
            return this;
        }

        /** Adds several network addresses in iteration order; see {@link #address}. */
        public Builder addresses(Map<String, InetAddress> addresses) {
            addresses.forEach(this::address);
            return this;
        }

        /**
         * The address {@link Machine#waitForPort} connects to, when it is not the first network address (e.g. an
         * SSH host reached on 127.0.0.1, a container's published address).
         */
        public Builder probeAddress(InetAddress probeAddress) {
            this.probeAddress = Objects.requireNonNull(probeAddress, "probeAddress");
            return this;
        }

        /**
         * The environment's journal, which gets every command, job, copy and setting change (default: a journal
         * without a file, for machines used outside an environment).
         */
        public Builder journal(Journal journal) {
            this.journal = Objects.requireNonNull(journal, "journal");
            return this;
        }

        public TransportMachine build() {
            if (journal == null) {
                journal = Journal.withoutFile("machine " + name);
            }
            return new TransportMachine(this);
        }
    }
}
