package io.testbed.bench;

import io.testbed.core.ExecResult;
import io.testbed.images.FileTrees;
import io.testbed.images.Template;
import io.testbed.images.TemplateException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.apiguardian.api.API;

/**
 * A running guest. Close it: that disconnects SSH, kills QEMU and deletes the overlay, seed, keys and
 * console log. A JVM shutdown hook does the same if the JVM exits first.
 */
@API(status = API.Status.INTERNAL)
public final class BareQemuGuest implements AutoCloseable {

    private static final int CONSOLE_TAIL_LINES = 40;
    private static final int QEMU_OUTPUT_TAIL_CHARS = 2000;

    final Template template;
    private final Path work;
    final Process process;
    private final Path console;
    private final Path qemuLog;
    final InetSocketAddress sshAddress;
    private final String hostKey;
    private final Thread shutdownHook;
    private SSHClient ssh;
    private Duration bootTime;
    private boolean closed;

    BareQemuGuest(
            Template template,
            Path work,
            Process process,
            Path console,
            Path qemuLog,
            InetSocketAddress ssh,
            String hostKey) {
        this.template = template;
        this.work = work;
        this.process = process;
        this.console = console;
        this.qemuLog = qemuLog;
        this.sshAddress = ssh;
        this.hostKey = hostKey;
        this.shutdownHook = new Thread(this::release, "testbed-bareqemu-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    void attach(SSHClient client, Duration time) {
        this.ssh = client;
        this.bootTime = time;
    }

    /** From the QEMU process start to the first command answered over SSH. */
    public Duration bootTime() {
        return bootTime;
    }

    /** The local port forwarded to the guest's SSH port (user-mode networking), or the guest's port 22. */
    public int sshPort() {
        return sshAddress.getPort();
    }

    /** The pinned host public key line from the seed. */
    public String hostKey() {
        return hostKey;
    }

    /** The QEMU process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Waits until QEMU has exited (after a {@code poweroff} in the guest, for instance).
     *
     * @return whether it exited within {@code timeout}
     */
    public boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The connected, authenticated SSH client (as root); e.g. for {@code newSFTPClient()}. */
    public SSHClient ssh() {
        return ssh;
    }

    /** The serial console log (deleted on {@link #close()}). */
    public Path consoleLog() {
        return console;
    }

    /** The last lines of the serial console. */
    public String consoleTail() {
        List<String> lines = consoleText().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL_LINES), lines.size()));
    }

    /**
     * Runs {@code command} through the guest's shell and waits up to {@code timeout}.
     *
     * @throws TemplateException when the command cannot be run or outlives the timeout
     */
    public ExecResult run(String command, Duration timeout) {
        long start = System.nanoTime();
        try (Session session = ssh.startSession()) {
            Session.Command running = session.exec(command);
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            Thread errors = new Thread(() -> copyQuietly(running.getErrorStream(), stderr), "testbed-bareqemu-stderr");
            errors.setDaemon(true);
            errors.start();
            byte[] stdout = running.getInputStream().readAllBytes();
            errors.join(timeout.toMillis());
            running.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Integer exit = running.getExitStatus();
            if (exit == null) {
                throw new TemplateException("`" + command + "` on " + template.name() + " gave no exit status within "
                        + timeout.toSeconds() + " s");
            }
            return new ExecResult(
                    template.name(),
                    command,
                    exit,
                    new String(stdout, StandardCharsets.UTF_8),
                    stderr.toString(StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new TemplateException(
                    "`" + command + "` on " + template.name() + " failed: " + e + "\nConsole tail:\n" + consoleTail(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemplateException("Interrupted while running `" + command + "`", e);
        }
    }

    /** {@link #run(String, Duration)} with a 60 s timeout. */
    public ExecResult run(String command) {
        return run(command, Duration.ofSeconds(60));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down and runs the hook
        }
    }

    private void release() {
        if (ssh != null) {
            BareQemu.closeQuietly(ssh);
        }
        BareQemu.stop(process);
        FileTrees.deleteQuietly(work);
    }

    String consoleText() {
        try {
            return Files.exists(console)
                    ? new String(Files.readAllBytes(console), StandardCharsets.UTF_8).replace("\r", "")
                    : "";
        } catch (IOException e) {
            return "(console log unreadable: " + e.getMessage() + ")";
        }
    }

    TemplateException failure(String reason, Exception cause) {
        String qemuOutput;
        try {
            qemuOutput = Files.exists(qemuLog) ? Files.readString(qemuLog).strip() : "";
        } catch (IOException e) {
            qemuOutput = "(unreadable)";
        }
        String message = "Bare QEMU boot of template " + template.name() + " failed: " + reason
                + (cause == null ? "" : " (last error: " + cause + ")")
                + (qemuOutput.isEmpty() ? "" : "\nQEMU said:\n" + tail(qemuOutput))
                + "\nConsole tail:\n" + consoleTail()
                + "\nCheck the template (rebuild it by deleting its store directory) and that qemu-system-x86 works.";
        return new TemplateException(message, cause);
    }

    private static void copyQuietly(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the channel closed; what arrived is kept
        }
    }

    private static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= QEMU_OUTPUT_TAIL_CHARS
                ? trimmed
                : "…" + trimmed.substring(trimmed.length() - QEMU_OUTPUT_TAIL_CHARS);
    }
}
