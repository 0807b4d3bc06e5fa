package io.testbed.junit.local;

import io.testbed.core.CommandFailedException;
import io.testbed.core.CommandTimeoutException;
import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A machine that is a directory on this host: commands run with {@code sh -c} in its root directory (the
 * machine's "/"), with {@code $ROOT} pointing there and its {@code bin/} (busybox applets) first on the path.
 * Remote paths in {@link #upload}, {@link #download}, {@link #setSysctl} and {@link #writeSysfs} are resolved
 * under the root. Real processes, real files; no isolation — a unit-test double of a VM.
 */
public final class LocalMachine implements Machine {

    private final String name;
    private final Set<String> roles;
    private final Map<String, String> properties;
    private final Path root;
    private final Map<String, InetAddress> addresses;
    private final Path commandLog;
    private final String liveTag;
    private final AtomicInteger jobIds = new AtomicInteger();
    private final List<LocalJob> jobs = new ArrayList<>();
    private final Deque<Runnable> undo = new ArrayDeque<>();

    public LocalMachine(String name, Set<String> roles, Map<String, String> properties, Path root,
            Map<String, InetAddress> addresses, Path commandLog, String liveTag) {
        this.name = name;
        this.roles = Set.copyOf(roles);
        this.properties = Map.copyOf(properties);
        this.root = root;
        this.addresses = Map.copyOf(addresses);
        this.commandLog = commandLog;
        this.liveTag = liveTag;
    }

    public Path root() {
        return root;
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

    @Override
    public InetAddress address(String network) {
        InetAddress address = addresses.get(network);
        if (address == null) {
            throw new IllegalArgumentException("machine '" + name + "' has no NIC on network '" + network
                    + "'; its networks: " + addresses.keySet());
        }
        return address;
    }

    ProcessBuilder process(String command, RunOptions options) {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command);
        builder.directory(options.workDir().map(this::local).orElse(root).toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", root.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", root.toString());
        env.put("ROOT", root.toString());
        env.put("HOSTNAME", name);
        env.putAll(options.env());
        return builder;
    }

    private void log(String line) {
        if (commandLog == null) {
            return;
        }
        try {
            Files.writeString(commandLog, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ExecResult run(String command, RunOptions options) {
        Instant start = Instant.now();
        try {
            Path out = Files.createTempFile(work(), "run", ".out");
            Path err = Files.createTempFile(work(), "run", ".err");
            try {
                Process process = process(command, options).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .start();
                if (!process.waitFor(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(process);
                    log(name + "$ " + command + "   # killed after " + options.timeout().toMillis() + " ms");
                    throw new CommandTimeoutException(name, command, options.timeout(), Files.readString(out),
                            Files.readString(err));
                }
                ExecResult result = new ExecResult(name, command, process.exitValue(), Files.readString(out),
                        Files.readString(err), Duration.between(start, Instant.now()));
                log(name + "$ " + command + "   # exit " + result.exitCode());
                boolean ok = switch (options.expectation()) {
                    case ANY -> true;
                    case SUCCESS -> result.succeeded();
                    case FAILURE -> !result.succeeded();
                };
                if (!ok) {
                    throw new CommandFailedException(result, options.expectation());
                }
                return result;
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new TestbedException("cannot run '" + command + "' on local machine " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbedException("interrupted while running '" + command + "' on " + name, e);
        }
    }

    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Job start(String command, RunOptions options) {
        int id = jobIds.incrementAndGet();
        try {
            Path out = work().resolve("job" + id + ".out");
            Path err = work().resolve("job" + id + ".err");
            Process process = process(command, options).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            String tag = liveTag + " job " + name + "#" + id;
            LocalRecorder.created(tag);
            process.onExit().thenRun(() -> LocalRecorder.destroyed(tag));
            log(name + "$ " + command + " &   # job " + id);
            LocalJob job = new LocalJob(id, name, command, process, out, err);
            synchronized (jobs) {
                jobs.add(job);
            }
            return job;
        } catch (IOException e) {
            throw new TestbedException("cannot start '" + command + "' on local machine " + name + ": " + e, e);
        }
    }

    /** Kills every job still running (a stop or a revert). */
    void killAllJobs() {
        List<LocalJob> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs);
            jobs.clear();
        }
        all.forEach(LocalJob::kill);
    }

    /** Outside the root, so that a revert does not wipe the output of running commands. */
    private Path work() throws IOException {
        return Files.createDirectories(root.resolveSibling("work"));
    }

    private Path local(String remotePath) {
        Path path = root.resolve(remotePath.replaceFirst("^/+", "")).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("path " + remotePath + " leaves machine " + name + "'s root");
        }
        return path;
    }

    @Override
    public void upload(Path local, String remotePath) {
        try {
            Files.copy(local, local(remotePath), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TestbedException("cannot upload " + local + " to " + name + ":" + remotePath + ": " + e, e);
        }
    }

    @Override
    public void download(String remotePath, Path local) {
        try {
            Files.copy(local(remotePath), local, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TestbedException("cannot download " + name + ":" + remotePath + " to " + local + ": " + e, e);
        }
    }

    @Override
    public void setSysctl(String key, String value) {
        writeSysfs("/proc/sys/" + key.replace('.', '/'), value);
    }

    @Override
    public synchronized void writeSysfs(String path, String value) {
        Path file = local(path);
        try {
            Optional<String> old = Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
            Files.createDirectories(file.getParent());
            Files.writeString(file, value + "\n");
            undo.push(() -> {
                try {
                    if (old.isPresent()) {
                        Files.writeString(file, old.get());
                    } else {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new TestbedException("cannot write " + path + " on " + name + ": " + e, e);
        }
    }

    @Override
    public synchronized void restoreSettings() {
        while (!undo.isEmpty()) {
            undo.pop().run();
        }
    }

    /** Ports of a local machine are ports of this host. */
    @Override
    public void waitForPort(int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new TestbedException("port " + port + " of machine " + name + " did not accept connections"
                            + " within " + timeout.toMillis() + " ms");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new TestbedException("interrupted", interrupted);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "local machine " + name;
    }
}
