package io.testbed.images;

import io.testbed.core.ExecResult;
import io.testbed.core.ssh.PinnedHostKey;
import io.testbed.core.ssh.SshKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.apiguardian.api.API;

/**
 * Boots a template without libvirt; used for diagnostics and as the benchmark anchor.
 *
 * <p>{@link #boot} starts a plain {@code qemu-system-x86_64} (TCG by default: KVM guests hang on some hosts)
 * with a qcow2 overlay on the template's disk, a {@link SeedIso} on a read-only virtio disk, the serial
 * console in a log file and user-mode networking on {@value #GUEST_NETWORK} (never QEMU's default
 * 10.0.2.0/24) with SSH forwarded from a free port on 127.0.0.1. It returns once the guest answered a first
 * command over SSH (sshj, host key pinned from the seed) and reports how long that took from the QEMU
 * process start. The returned {@link Guest} must be closed: closing kills QEMU and deletes every file the
 * boot created; a failed boot cleans up the same way and throws with the console tail.
 *
 * <p>Instances are thread-safe; each boot is independent (each QEMU has its own user-mode network).
 */
@API(status = API.Status.EXPERIMENTAL)
public final class BareQemu {

    /** The guest's user-mode network (inside 198.18.0.0/15). */
    public static final String GUEST_NETWORK = "198.19.252.0/24";
    /** The guest's static address on {@link #GUEST_NETWORK}. */
    public static final String GUEST_ADDRESS = "198.19.252.15";
    /** QEMU's host-side address on {@link #GUEST_NETWORK}, the guest's gateway. */
    public static final String GATEWAY_ADDRESS = "198.19.252.2";
    /** QEMU's DNS forwarder on {@link #GUEST_NETWORK}. */
    public static final String DNS_ADDRESS = "198.19.252.3";
    /** The guest NIC's MAC address (locally administered range QEMU uses, last bytes from the address). */
    public static final String GUEST_MAC = "52:54:00:c6:13:fc";

    private static final int CONSOLE_TAIL_LINES = 40;
    private static final String INITRAMFS_ERROR = "TESTBED-INITRAMFS-ERROR";
    private static final String READY = "TESTBED-READY";

    /** Which accelerator QEMU uses. */
    public enum Accelerator {
        /** Software emulation; always works. */
        TCG,
        /** Hardware virtualization through /dev/kvm; see {@link #kvmUsable}. */
        KVM
    }

    /**
     * How to boot.
     *
     * @param memoryMb    guest memory in MiB (at least 64)
     * @param cpus        virtual CPUs (1–16)
     * @param accelerator TCG or KVM
     * @param bootTimeout how long to wait for the first SSH command to be answered
     * @param hostname    the guest's hostname (goes into the seed)
     */
    public record Options(int memoryMb, int cpus, Accelerator accelerator, Duration bootTimeout, String hostname) {
        public Options {
            Objects.requireNonNull(accelerator, "accelerator");
            Objects.requireNonNull(bootTimeout, "bootTimeout");
            Objects.requireNonNull(hostname, "hostname");
            if (memoryMb < 64) {
                throw new IllegalArgumentException("BareQemu.Options: memoryMb (" + memoryMb + ") must be at least 64");
            }
            if (cpus < 1 || cpus > 16) {
                throw new IllegalArgumentException("BareQemu.Options: cpus (" + cpus + ") must be 1–16");
            }
            if (bootTimeout.isNegative() || bootTimeout.isZero()) {
                throw new IllegalArgumentException("BareQemu.Options: bootTimeout (" + bootTimeout + ") must be positive");
            }
        }

        /** 256 MiB, 1 CPU, TCG, 180 s, hostname {@code bare}. */
        public static Options defaults() {
            return new Options(256, 1, Accelerator.TCG, Duration.ofSeconds(180), "bare");
        }

        public Options withMemoryMb(int value) {
            return new Options(value, cpus, accelerator, bootTimeout, hostname);
        }

        public Options withCpus(int value) {
            return new Options(memoryMb, value, accelerator, bootTimeout, hostname);
        }

        public Options withAccelerator(Accelerator value) {
            return new Options(memoryMb, cpus, value, bootTimeout, hostname);
        }

        public Options withBootTimeout(Duration value) {
            return new Options(memoryMb, cpus, accelerator, value, hostname);
        }

        public Options withHostname(String value) {
            return new Options(memoryMb, cpus, accelerator, bootTimeout, value);
        }
    }

    private static final String KVM_PROBE_FILE = "kvm-probe.json";

    private final Consumer<String> progress;
    private final Path probeCacheDirectory;
    private final Map<String, Boolean> kvmAnswers = new ConcurrentHashMap<>();

    /** @param progress receives one line per boot step; may be {@code line -> {}} */
    public BareQemu(Consumer<String> progress) {
        this(progress, null);
    }

    /**
     * @param progress            receives one line per boot step; may be {@code line -> {}}
     * @param probeCacheDirectory where {@link #kvmUsable} remembers its answer for other JVMs until the host
     *                            reboots (e.g. {@link TemplateStore#root()}); null to remember it in this instance only
     */
    public BareQemu(Consumer<String> progress, Path probeCacheDirectory) {
        this.progress = Objects.requireNonNull(progress, "progress");
        this.probeCacheDirectory = probeCacheDirectory;
    }

    /**
     * Boots {@code template} and waits until a first command ({@code true}) is answered over SSH.
     *
     * @throws TemplateException when QEMU cannot start, exits, the initramfs reports an error, or SSH does not
     *                           answer within {@link Options#bootTimeout()}; the message holds QEMU's stderr
     *                           and the console tail. Nothing is left behind.
     */
    public Guest boot(Template template, Options options) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(options, "options");
        DefaultConfig sshConfig = new DefaultConfig(); // loads sshj's classes before the clock starts
        Path work = null;
        Process process = null;
        try {
            work = Files.createTempDirectory("testbed-bareqemu-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            SshKeys.KeyFiles clientKey = SshKeys.generate(work.resolve("client_ed25519"), "testbed-bareqemu");
            SshKeys.KeyFiles hostKey = SshKeys.generate(work.resolve("host_ed25519"), options.hostname());
            SeedIso seed = SeedIso.builder()
                    .hostname(options.hostname())
                    .authorizedKey(clientKey.publicLine())
                    .hostKey(hostKey)
                    .nic(new SeedIso.Nic(GUEST_MAC, InetAddress.getByName(GUEST_ADDRESS), 24,
                            InetAddress.getByName(GATEWAY_ADDRESS), 0))
                    .dnsServer(InetAddress.getByName(DNS_ADDRESS))
                    .build();
            Path seedIso = seed.writeTo(work);
            Path overlay = work.resolve("overlay.qcow2");
            QemuImg.overlay(template, overlay);
            Path console = work.resolve("console.log");
            Path qemuLog = work.resolve("qemu.log");
            int port = freePort();
            List<String> command = commandLine(template, options, overlay, seedIso, console, port);
            progress.accept("bare QEMU: booting " + template.name() + " (" + options.accelerator() + ", "
                    + options.memoryMb() + " MiB), SSH on 127.0.0.1:" + port);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(qemuLog.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            long started = System.nanoTime();
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new TemplateException("Command `" + String.join(" ", command) + "` could not be started: "
                        + e.getMessage() + ". Install qemu-system-x86.", e);
            }
            Guest guest = new Guest(template, work, process, console, qemuLog, port, seed.hostPublicKey());
            try {
                SSHClient client = waitForSsh(guest, sshConfig, clientKey, options, started);
                guest.attach(client, Duration.ofNanos(System.nanoTime() - started));
                progress.accept(String.format("bare QEMU: %s answered its first SSH command %.2f s after QEMU started",
                        template.name(), guest.bootTime().toMillis() / 1000.0));
                return guest;
            } catch (RuntimeException e) {
                guest.close();
                throw e;
            }
        } catch (IOException e) {
            stop(process);
            FileTrees.deleteQuietly(work);
            throw new TemplateException("Bare QEMU boot of " + template.name() + " failed: " + e, e);
        } catch (RuntimeException e) {
            stop(process);
            FileTrees.deleteQuietly(work);
            throw e;
        }
    }

    private List<String> commandLine(Template template, Options options, Path overlay, Path seedIso, Path console,
            int port) {
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64",
                "-name", "testbed-bareqemu-" + options.hostname(),
                "-machine", "pc",
                "-accel", options.accelerator() == Accelerator.KVM ? "kvm" : "tcg",
                "-m", String.valueOf(options.memoryMb()),
                "-smp", String.valueOf(options.cpus()),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-monitor", "none",
                "-serial", "file:" + console));
        if (template.bootsFromKernel()) {
            command.addAll(List.of("-kernel", template.kernel().orElseThrow().toString(),
                    "-initrd", template.initrd().orElseThrow().toString(),
                    "-append", template.kernelCommandLine().orElseThrow()));
        }
        command.addAll(List.of(
                "-drive", "file=" + overlay + ",if=virtio,format=qcow2",
                "-drive", "file=" + seedIso + ",if=virtio,format=raw,readonly=on",
                "-netdev", "user,id=n0,net=" + GUEST_NETWORK + ",host=" + GATEWAY_ADDRESS + ",dns=" + DNS_ADDRESS
                        + ",restrict=on,hostfwd=tcp:127.0.0.1:" + port + "-" + GUEST_ADDRESS + ":22",
                "-device", "virtio-net-pci,netdev=n0,mac=" + GUEST_MAC,
                // entropy from the host: without it the guest's first key operation waits for its random pool
                "-object", "rng-random,id=rng0,filename=/dev/urandom",
                "-device", "virtio-rng-pci,rng=rng0"));
        return command;
    }

    private SSHClient waitForSsh(Guest guest, DefaultConfig config, SshKeys.KeyFiles clientKey, Options options,
            long started) {
        long deadline = started + options.bootTimeout().toNanos();
        PinnedHostKey pinned = PinnedHostKey.parse(guest.hostKey());
        PinnedHostKey.Verifier verifier = pinned.verifier();
        Exception lastError = null;
        int attempts = 0;
        boolean markerExpected = guest.template.bootsFromKernel();
        while (System.nanoTime() < deadline) {
            if (!guest.process.isAlive()) {
                throw guest.failure("QEMU exited with code " + guest.process.exitValue() + " before SSH answered", null);
            }
            String consoleText = guest.consoleText();
            if (consoleText.contains(INITRAMFS_ERROR)) {
                throw guest.failure("the guest's initramfs reported an error", null);
            }
            if (markerExpected && !consoleText.contains(READY)) {
                // built templates announce readiness on the console: cheaper and quicker than SSH attempts that
                // hang in user-mode networking until the guest's port is open
                sleep(20);
                continue;
            }
            attempts++;
            SSHClient client = new SSHClient(config);
            try {
                client.setConnectTimeout(1000);
                client.setTimeout(2000);
                client.addHostKeyVerifier(verifier);
                client.connect("127.0.0.1", guest.sshPort);
                KeyProvider key = client.loadKeys(clientKey.privateKey().toString());
                client.authPublickey("root", key);
                try (Session session = client.startSession()) {
                    Session.Command command = session.exec("true");
                    command.join(10, TimeUnit.SECONDS);
                    if (!Integer.valueOf(0).equals(command.getExitStatus())) {
                        throw new IOException("`true` exited with " + command.getExitStatus());
                    }
                }
                client.getSocket().setSoTimeout(0); // the polling timeout must not kill an idle connection later
                progress.accept("bare QEMU: SSH ready after " + attempts + " attempt(s)");
                return client;
            } catch (IOException e) {
                lastError = e;
                closeQuietly(client);
                if (verifier.refused() != null) {
                    throw guest.failure("the guest presented host key "
                            + PinnedHostKey.fingerprint(verifier.refused()) + " instead of the seed's " + pinned, e);
                }
            }
            sleep(markerExpected ? 50 : 250);
        }
        if (markerExpected && attempts == 0) {
            throw guest.failure("the guest did not print " + READY + " on its console within "
                    + options.bootTimeout().toSeconds() + " s", null);
        }
        throw guest.failure("SSH did not answer within " + options.bootTimeout().toSeconds() + " s ("
                + attempts + " attempts)", lastError);
    }

    /**
     * Whether KVM guests actually run here: boots {@code template} under KVM once with a bounded timeout
     * (a guest that hangs counts as "no"). The answer is cached per template in this instance, so a
     * provider can keep one {@code BareQemu} and ask repeatedly.
     *
     * @return true only when the guest answered SSH under KVM within {@code timeout}
     */
    public boolean kvmUsable(Template template, Duration timeout) {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm) || !Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            progress.accept("KVM probe: /dev/kvm is missing or not read-writable by this user; using TCG");
            return false;
        }
        return kvmAnswers.computeIfAbsent(template.disk().toString(), disk -> probeKvmOnce(template, timeout));
    }

    /** What the KVM probe remembers for other JVMs: valid for one host boot and one template disk. */
    record KvmProbeAnswer(String bootId, String templateDisk, boolean usable, Instant probedAt) {}

    private boolean probeKvmOnce(Template template, Duration timeout) {
        String bootId = bootId();
        Path file = probeCacheDirectory == null ? null : probeCacheDirectory.resolve(KVM_PROBE_FILE);
        if (file != null && bootId != null && Files.isRegularFile(file)) {
            try {
                KvmProbeAnswer answer = TemplateStore.JSON.readValue(file.toFile(), KvmProbeAnswer.class);
                if (bootId.equals(answer.bootId()) && template.disk().toString().equals(answer.templateDisk())) {
                    progress.accept("KVM probe: " + (answer.usable() ? "usable" : "not usable") + " (answer from "
                            + answer.probedAt() + " in " + file + "; delete it to probe again)");
                    return answer.usable();
                }
            } catch (IOException | RuntimeException e) {
                progress.accept("KVM probe: ignoring unreadable " + file + " (" + e + ")");
            }
        }
        boolean usable = probeKvm(template, timeout);
        if (file != null && bootId != null) {
            Path partial = file.resolveSibling("." + KVM_PROBE_FILE + "-" + ProcessHandle.current().pid());
            try {
                Files.createDirectories(probeCacheDirectory);
                TemplateStore.JSON.writeValue(partial.toFile(), new KvmProbeAnswer(bootId, template.disk().toString(),
                        usable, Instant.now()));
                Files.setPosixFilePermissions(partial, FileTrees.FILE_MODE);
                Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                FileTrees.deleteQuietly(partial);
                progress.accept("KVM probe: cannot remember the answer in " + file + " (" + e + ")");
            }
        }
        return usable;
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private boolean probeKvm(Template template, Duration timeout) {
        Instant start = Instant.now();
        try (Guest guest = boot(template, Options.defaults().withAccelerator(Accelerator.KVM).withBootTimeout(timeout)
                .withHostname("kvm-probe"))) {
            progress.accept(String.format("KVM probe: guest answered under KVM in %.2f s", guest.bootTime().toMillis()
                    / 1000.0));
            return true;
        } catch (TemplateException e) {
            progress.accept(String.format("KVM probe: no answer under KVM after %.1f s (%s); using TCG",
                    Duration.between(start, Instant.now()).toMillis() / 1000.0, e.getMessage().lines().findFirst()
                            .orElse("")));
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemplateException("Interrupted while waiting for the guest to boot", e);
        }
    }

    private static void stop(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // already broken
        }
    }

    /**
     * A running guest. Close it: that disconnects SSH, kills QEMU and deletes the overlay, seed, keys and
     * console log. A JVM shutdown hook does the same if the JVM exits first.
     */
    public static final class Guest implements AutoCloseable {
        private final Template template;
        private final Path work;
        private final Process process;
        private final Path console;
        private final Path qemuLog;
        private final int sshPort;
        private final String hostKey;
        private final Thread shutdownHook;
        private SSHClient ssh;
        private Duration bootTime;
        private boolean closed;

        private Guest(Template template, Path work, Process process, Path console, Path qemuLog, int sshPort,
                String hostKey) {
            this.template = template;
            this.work = work;
            this.process = process;
            this.console = console;
            this.qemuLog = qemuLog;
            this.sshPort = sshPort;
            this.hostKey = hostKey;
            this.shutdownHook = new Thread(this::release, "testbed-bareqemu-cleanup");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }

        private void attach(SSHClient client, Duration time) {
            this.ssh = client;
            this.bootTime = time;
        }

        /** From the QEMU process start to the first command answered over SSH. */
        public Duration bootTime() {
            return bootTime;
        }

        /** The local port forwarded to the guest's SSH port. */
        public int sshPort() {
            return sshPort;
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
                return new ExecResult(template.name(), command, exit, new String(stdout, StandardCharsets.UTF_8),
                        stderr.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
            } catch (IOException e) {
                throw new TemplateException("`" + command + "` on " + template.name() + " failed: " + e
                        + "\nConsole tail:\n" + consoleTail(), e);
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
                closeQuietly(ssh);
            }
            stop(process);
            FileTrees.deleteQuietly(work);
        }

        private String consoleText() {
            try {
                return Files.exists(console)
                        ? new String(Files.readAllBytes(console), StandardCharsets.UTF_8).replace("\r", "")
                        : "";
            } catch (IOException e) {
                return "(console log unreadable: " + e.getMessage() + ")";
            }
        }

        private TemplateException failure(String reason, Exception cause) {
            String qemuOutput;
            try {
                qemuOutput = Files.exists(qemuLog) ? Files.readString(qemuLog).strip() : "";
            } catch (IOException e) {
                qemuOutput = "(unreadable)";
            }
            String message = "Bare QEMU boot of template " + template.name() + " failed: " + reason
                    + (cause == null ? "" : " (last error: " + cause + ")")
                    + (qemuOutput.isEmpty() ? "" : "\nQEMU said:\n" + ExternalCommand.tail(qemuOutput))
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
    }
}
