package io.testbed.junit.local;

import io.testbed.core.TestbedException;
import io.testbed.core.spi.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link Transport} to a local machine: a directory on this host used as the root of a {@code chroot} with
 * busybox for its userland (like the tiny template's guest), its own {@code /proc/sys} and {@code /sys} (plain
 * directories of the machine, so setting changes never touch the host) and the host's process table (so process
 * groups can be killed as on a real machine). Every command runs as
 * {@code unshare -m} (a private mount namespace, so nothing is mounted on the host) → bind mounts → {@code chroot}
 * → {@code /bin/sh -c command}. Needs root; the project's tests run as root.
 *
 * <p>Files: the machine's {@code /x} is {@code <machine>/root/x}, also for {@link #upload} and {@link #download}.
 */
public final class LocalTransport implements Transport {

    /** Busybox applets linked into every machine's {@code /bin}. */
    static final List<String> APPLETS = List.of(
            "sh",
            "ash",
            "cat",
            "printf",
            "echo",
            "grep",
            "kill",
            "setsid",
            "sleep",
            "test",
            "[",
            "true",
            "false",
            "mkdir",
            "rm",
            "ls",
            "touch",
            "ping",
            "env",
            "hostname",
            "id",
            "head",
            "tail",
            "wc",
            "sed",
            "tr",
            "sort",
            "cut",
            "date",
            "cp",
            "mv",
            "chmod",
            "stat",
            "find",
            "xargs",
            "ps",
            "pgrep",
            "pkill",
            "timeout",
            "nc",
            "seq");

    private static final String SETUP = "mount --bind /proc \"$R/proc\" && mount --bind \"$M/proc-sys\" \"$R/proc/sys\""
            + " && mount --bind \"$M/sys\" \"$R/sys\" && mount --bind \"$BB\" \"$R/bin/busybox\""
            + " && exec chroot \"$R\" /bin/sh -c \"$1\"";
    private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "local-transport-reader");
        thread.setDaemon(true);
        return thread;
    });

    private final String name;
    private final Path machineDir;
    private final Path root;
    private final String liveTag;
    private final AtomicInteger executions = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param machineDir the machine's directory, prepared by {@link #prepare}
     * @param liveTag    what {@link LocalRecorder#live()} calls this machine's processes
     */
    public LocalTransport(String name, Path machineDir, String liveTag) {
        this.name = name;
        this.machineDir = machineDir.toAbsolutePath();
        this.root = this.machineDir.resolve("root");
        this.liveTag = liveTag;
    }

    /** The host's busybox, which every local machine uses as its userland. */
    static Path busybox() {
        return Stream.of("/usr/bin/busybox", "/bin/busybox")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new TestbedException(
                        "local test machines need busybox (package busybox-static);" + " run scripts/setup-host.sh"));
    }

    /** Creates a machine directory: the root file system with busybox applets, and its own /proc/sys and /sys. */
    public static void prepare(Path machineDir, String hostname) {
        Path root = machineDir.resolve("root");
        try {
            for (String dir : List.of("bin", "etc", "proc", "sys", "tmp", "root", "dev", "var/log")) {
                Files.createDirectories(root.resolve(dir));
            }
            Files.createFile(root.resolve("bin/busybox")); // the mount point of the host's busybox
            for (String applet : APPLETS) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Files.writeString(root.resolve("etc/hostname"), hostname + "\n");
            Path ipv4 = Files.createDirectories(machineDir.resolve("proc-sys/net/ipv4"));
            Files.writeString(ipv4.resolve("ip_forward"), "0\n");
            Files.createDirectories(machineDir.resolve("sys/class/net"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare local machine " + machineDir + ": " + e, e);
        }
    }

    @Override
    public String target() {
        return "local machine " + name;
    }

    @Override
    public Execution exec(String command, byte[] stdin) {
        if (closed) {
            throw new IllegalStateException("transport to " + target() + " is closed");
        }
        ProcessBuilder builder =
                new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c", SETUP, "sh", command);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", "/root");
        env.put("R", root.toString());
        env.put("M", machineDir.toString());
        env.put("BB", busybox().toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new TestbedException(
                    "cannot start a command on " + target() + ": " + e
                            + " (local test machines need root, unshare, mount and chroot)",
                    e);
        }
        String tag = liveTag + " process " + name + "#" + executions.incrementAndGet();
        LocalRecorder.created(tag);
        process.onExit().thenRun(() -> LocalRecorder.destroyed(tag));
        return new LocalExecution(process, stdin == null ? new byte[0] : stdin);
    }

    private static final class LocalExecution implements Execution {
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final CompletableFuture<Integer> exitStatus;

        LocalExecution(Process process, byte[] stdin) {
            this.process = process;
            CompletableFuture<Void> stdout =
                    CompletableFuture.runAsync(() -> pump(process.getInputStream(), out), READERS);
            CompletableFuture<Void> stderr =
                    CompletableFuture.runAsync(() -> pump(process.getErrorStream(), err), READERS);
            CompletableFuture.runAsync(
                    () -> {
                        try (OutputStream in = process.getOutputStream()) {
                            in.write(stdin);
                        } catch (IOException ignored) {
                            // the command exited without reading its input
                        }
                    },
                    READERS);
            this.exitStatus = CompletableFuture.allOf(stdout, stderr)
                    .thenCombine(process.onExit(), (done, exited) -> exited.exitValue());
        }

        private static void pump(InputStream in, ByteArrayOutputStream sink) {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (sink) {
                        sink.write(buffer, 0, n);
                    }
                }
            } catch (IOException closed) {
                // close() stopped reading
            }
        }

        @Override
        public CompletableFuture<Integer> exitStatus() {
            return exitStatus;
        }

        @Override
        public byte[] stdout() {
            synchronized (out) {
                return out.toByteArray();
            }
        }

        @Override
        public byte[] stderr() {
            synchronized (err) {
                return err.toByteArray();
            }
        }

        @Override
        public void close() {
            try {
                process.getInputStream().close();
                process.getErrorStream().close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    private Path local(String remotePath) {
        Path path = root.resolve(remotePath.replaceFirst("^/+", "")).normalize();
        if (!path.startsWith(root)) {
            throw new TestbedException("path " + remotePath + " leaves the root of " + target());
        }
        return path;
    }

    @Override
    public void upload(Path local, String remotePath) {
        try {
            Files.copy(local, local(remotePath), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot upload " + local + " to " + remotePath + " on " + target() + ": " + e, e);
        }
    }

    @Override
    public void download(String remotePath, Path local) {
        try {
            Files.copy(local(remotePath), local, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TestbedException(
                    "Cannot download " + remotePath + " from " + target() + " to " + local + ": " + e, e);
        }
    }

    @Override
    public void awaitReady(Duration timeout) {
        Outcome outcome = run("true", null, timeout);
        if (outcome.timedOut() || outcome.exitStatus() != 0) {
            throw new TestbedException(target() + " did not run 'true' within " + timeout.toMillis() + " ms (exit "
                    + outcome.exitStatus() + "): " + outcome.stderrText().strip());
        }
    }

    @Override
    public void dropConnection() {
        // no connection to drop: every command is a new process
    }

    @Override
    public void close() {
        closed = true;
    }

    /**
     * Kills every process running inside this machine's root (a power-off, or a revert to a snapshot taken before
     * they started) and waits until they are gone.
     *
     * @return how many processes were killed
     */
    public int killAllProcesses() {
        List<ProcessHandle> inside = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    Path processRoot = Files.readSymbolicLink(proc.resolve("root"));
                    if (processRoot.equals(root)) {
                        ProcessHandle.of(Long.parseLong(proc.getFileName().toString()))
                                .ifPresent(inside::add);
                    }
                } catch (IOException | UnsupportedOperationException gone) {
                    // exited meanwhile, or not ours to inspect
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        inside.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : inside) {
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new TestbedException("process " + process.pid() + " of " + target() + " did not die: " + e, e);
            }
        }
        return inside.size();
    }

    /** Whether anything still runs inside this machine's root. */
    boolean hasProcesses() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(proc -> {
                try {
                    return Files.readSymbolicLink(proc.resolve("root")).equals(root);
                } catch (IOException | UnsupportedOperationException gone) {
                    return false;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
