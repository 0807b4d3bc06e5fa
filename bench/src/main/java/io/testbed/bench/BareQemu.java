package io.testbed.bench;

import io.testbed.core.internal.support.Deadline;
import io.testbed.core.internal.support.FileModes;
import io.testbed.core.ssh.PinnedHostKey;
import io.testbed.core.ssh.SshKeys;
import io.testbed.images.FileTrees;
import io.testbed.images.KvmProbe;
import io.testbed.images.QemuImg;
import io.testbed.images.SeedIso;
import io.testbed.images.Template;
import io.testbed.images.TemplateException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.apiguardian.api.API;

/**
 * The benchmark's anchor: boots a template without libvirt, as a user would with plain QEMU.
 *
 * <p>{@link #boot} starts a plain {@code qemu-system-x86_64} (TCG by default: KVM guests hang on some hosts)
 * with a qcow2 overlay on the template's disk, a {@link SeedIso} on a read-only virtio disk, the serial
 * console in a log file and user-mode networking on {@value #GUEST_NETWORK} (never QEMU's default
 * 10.0.2.0/24) with SSH forwarded from a free port on 127.0.0.1. It returns once the guest answered a first
 * command over SSH (sshj, host key pinned from the seed) and reports how long that took from the QEMU
 * process start. The returned {@link BareQemuGuest} must be closed: closing kills QEMU and deletes every file the
 * boot created; a failed boot cleans up the same way and throws with the console tail.
 *
 * <p>The benchmark's cold-boot anchors boot through a {@link Launch} of their own instead: libvirt's command line
 * or a microvm, both on a tap ({@link ColdAnchors}); the waiting for SSH, the pinned host key and the clean-up are
 * the same.
 *
 * <p>Instances are thread-safe; each user-mode boot is independent (each QEMU has its own user-mode network).
 */
@API(status = API.Status.INTERNAL)
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

    /** Which accelerator QEMU uses. */
    public enum Accelerator {
        /** Software emulation; always works. */
        TCG,
        /** Hardware virtualization through /dev/kvm; see {@link io.testbed.images.KvmProbe}. */
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
                throw new IllegalArgumentException(
                        "BareQemu.Options: bootTimeout (" + bootTimeout + ") must be positive");
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

    private final Consumer<String> progress;

    /** @param progress receives one line per boot step; may be {@code line -> {}} */
    public BareQemu(Consumer<String> progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Boots {@code template} and waits until a first command ({@code true}) is answered over SSH.
     *
     * @throws TemplateException when QEMU cannot start, exits, the initramfs reports an error, or SSH does not
     *                           answer within {@link Options#bootTimeout()}; the message holds QEMU's stderr
     *                           and the console tail. Nothing is left behind.
     */
    public BareQemuGuest boot(Template template, Options options) {
        return boot(template, options, userMode());
    }

    /**
     * How one boot's QEMU is started and reached: the guest's NIC (goes into the seed), where SSH answers, and the
     * command line. {@link #boot(Template, Options)} uses QEMU's user-mode network; the benchmark's anchors use a
     * tap on a bridge ({@link BenchBridge}).
     */
    interface Launch {
        /** The guest's NIC as the seed configures it. */
        SeedIso.Nic nic() throws IOException;

        /** The guest's DNS server. */
        InetAddress dns() throws IOException;

        /** Where the guest's SSH server answers, given a free local port (user-mode networking forwards it). */
        InetSocketAddress ssh(int localPort);

        /** The QEMU command line. */
        List<String> command(Template template, Options options, Files files, int localPort);
    }

    /**
     * The files of one boot, all in its work directory.
     *
     * @param overlay the qcow2 overlay on the template's disk
     * @param seed    the seed ISO
     * @param console where the serial console goes
     */
    record Files(Path work, Path overlay, Path seed, Path console) {}

    /**
     * Boots {@code template} as {@code launch} says and waits until a first command is answered over SSH; the
     * same contract as {@link #boot(Template, Options)}.
     */
    BareQemuGuest boot(Template template, Options options, Launch launch) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(launch, "launch");
        DefaultConfig sshConfig = new DefaultConfig(); // loads sshj's classes before the clock starts
        Path work = null;
        Process process = null;
        try {
            work = java.nio.file.Files.createTempDirectory(
                    Leaks.TEMP_PREFIX + "qemu-", PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY_DIRECTORY));
            SshKeys.KeyFiles clientKey = SshKeys.generate(work.resolve("client_ed25519"), "testbed-bareqemu");
            SshKeys.KeyFiles hostKey = SshKeys.generate(work.resolve("host_ed25519"), options.hostname());
            SeedIso seed = SeedIso.builder()
                    .hostname(options.hostname())
                    .authorizedKey(clientKey.publicLine())
                    .hostKey(hostKey)
                    .nic(launch.nic())
                    .dnsServer(launch.dns())
                    .build();
            Path seedIso = seed.writeTo(work);
            Path overlay = work.resolve("overlay.qcow2");
            QemuImg.overlay(template, overlay);
            Path console = work.resolve("console.log");
            Path qemuLog = work.resolve("qemu.log");
            int port = freePort();
            List<String> command = launch.command(template, options, new Files(work, overlay, seedIso, console), port);
            InetSocketAddress ssh = launch.ssh(port);
            progress.accept("bare QEMU: booting " + template.name() + " (" + options.accelerator() + ", "
                    + options.memoryMb() + " MiB), SSH on " + ssh.getHostString() + ":" + ssh.getPort());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(qemuLog.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Deadline deadline = Deadline.after(options.bootTimeout());
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new TemplateException(
                        "Command `" + String.join(" ", command) + "` could not be started: " + e.getMessage()
                                + ". Install qemu-system-x86.",
                        e);
            }
            BareQemuGuest guest =
                    new BareQemuGuest(template, work, process, console, qemuLog, ssh, seed.hostPublicKey());
            try {
                SSHClient client = waitForSsh(guest, sshConfig, clientKey, options, deadline);
                guest.attach(client, deadline.elapsed());
                progress.accept(String.format(
                        "bare QEMU: %s answered its first SSH command %.2f s after QEMU started",
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

    /** QEMU's user-mode network on {@link #GUEST_NETWORK}, SSH forwarded from a free port on 127.0.0.1. */
    private static Launch userMode() {
        return new Launch() {
            @Override
            public SeedIso.Nic nic() throws IOException {
                return new SeedIso.Nic(
                        GUEST_MAC, InetAddress.getByName(GUEST_ADDRESS), 24, InetAddress.getByName(GATEWAY_ADDRESS), 0);
            }

            @Override
            public InetAddress dns() throws IOException {
                return InetAddress.getByName(DNS_ADDRESS);
            }

            @Override
            public InetSocketAddress ssh(int localPort) {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort);
            }

            @Override
            public List<String> command(Template template, Options options, Files files, int localPort) {
                return userModeCommandLine(
                        template, options, files.overlay(), files.seed(), files.console(), localPort);
            }
        };
    }

    private static List<String> userModeCommandLine(
            Template template, Options options, Path overlay, Path seedIso, Path console, int port) {
        List<String> command = new ArrayList<>(List.of(
                "qemu-system-x86_64",
                "-name",
                "testbed-bareqemu-" + options.hostname(),
                "-machine",
                "pc",
                "-accel",
                options.accelerator() == Accelerator.KVM ? "kvm" : "tcg",
                "-m",
                String.valueOf(options.memoryMb()),
                "-smp",
                String.valueOf(options.cpus()),
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
                "-monitor",
                "none",
                "-serial",
                "file:" + console));
        if (template.bootsFromKernel()) {
            command.addAll(List.of(
                    "-kernel",
                    template.kernel().orElseThrow().toString(),
                    "-initrd",
                    template.initrd().orElseThrow().toString(),
                    "-append",
                    template.kernelCommandLine().orElseThrow()));
        }
        command.addAll(List.of(
                "-drive", "file=" + overlay + ",if=virtio,format=qcow2",
                "-drive", "file=" + seedIso + ",if=virtio,format=raw,readonly=on",
                "-netdev",
                        "user,id=n0,net=" + GUEST_NETWORK + ",host=" + GATEWAY_ADDRESS + ",dns=" + DNS_ADDRESS
                                + ",restrict=on,hostfwd=tcp:127.0.0.1:" + port + "-" + GUEST_ADDRESS + ":22",
                "-device", "virtio-net-pci,netdev=n0,mac=" + GUEST_MAC,
                // entropy from the host: without it the guest's first key operation waits for its random pool
                "-object", "rng-random,id=rng0,filename=/dev/urandom",
                "-device", "virtio-rng-pci,rng=rng0"));
        return command;
    }

    private SSHClient waitForSsh(
            BareQemuGuest guest, DefaultConfig config, SshKeys.KeyFiles clientKey, Options options, Deadline deadline) {
        PinnedHostKey pinned = PinnedHostKey.parse(guest.hostKey());
        PinnedHostKey.Verifier verifier = pinned.verifier();
        Exception lastError = null;
        int attempts = 0;
        boolean markerExpected = guest.template.bootsFromKernel();
        while (!deadline.expired()) {
            if (!guest.process.isAlive()) {
                throw guest.failure(
                        "QEMU exited with code " + guest.process.exitValue() + " before SSH answered", null);
            }
            String consoleText = guest.consoleText();
            if (consoleText.contains(KvmProbe.INITRAMFS_ERROR)) {
                throw guest.failure("the guest's initramfs reported an error", null);
            }
            if (markerExpected && !consoleText.contains(KvmProbe.READY)) {
                // built templates announce readiness on the console: cheaper and quicker than SSH attempts that
                // hang in user-mode networking until the guest's port is open
                pause(deadline, 20);
                continue;
            }
            attempts++;
            SSHClient client = new SSHClient(config);
            try {
                client.setConnectTimeout(1000);
                client.setTimeout(2000);
                client.addHostKeyVerifier(verifier);
                client.connect(guest.sshAddress.getAddress(), guest.sshAddress.getPort());
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
                    throw guest.failure(
                            "the guest presented host key " + PinnedHostKey.fingerprint(verifier.refused())
                                    + " instead of the seed's " + pinned,
                            e);
                }
            }
            pause(deadline, markerExpected ? 50 : 250);
        }
        if (markerExpected && attempts == 0) {
            throw guest.failure(
                    "the guest did not print " + KvmProbe.READY + " on its console within "
                            + options.bootTimeout().toSeconds() + " s",
                    null);
        }
        throw guest.failure(
                "SSH did not answer within " + options.bootTimeout().toSeconds() + " s (" + attempts + " attempts)",
                lastError);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void pause(Deadline deadline, long millis) {
        try {
            deadline.pause(Duration.ofMillis(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemplateException("Interrupted while waiting for the guest to boot", e);
        }
    }

    static void stop(Process process) {
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

    static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // already broken
        }
    }
}
