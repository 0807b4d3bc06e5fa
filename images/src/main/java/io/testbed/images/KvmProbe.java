package io.testbed.images;

import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.AtomicFiles;
import io.testbed.core.internal.support.Deadline;
import io.testbed.core.internal.support.FileModes;
import io.testbed.core.ssh.SshKeys;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
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
import org.apiguardian.api.API;

/**
 * Tells whether KVM guests actually run on this host, so a provider chooses KVM only where it works: on some
 * hosts {@code /dev/kvm} exists but a KVM guest hangs without printing a byte.
 *
 * <p>{@link #kvmUsable} boots the template once with a plain {@code qemu-system-x86_64 -accel kvm} (a qcow2
 * overlay, a {@link SeedIso}, the serial console in a file) and waits, at most for the given timeout, until the
 * guest prints its readiness marker ({@value #READY}, printed by built templates once their SSH server listens).
 * A guest that hangs, reports an initramfs error or exits counts as "no". QEMU is killed and every file of the
 * probe deleted afterwards, whatever the outcome.
 *
 * <p>The answer is remembered per template disk in this instance, and, when a cache directory is given, in
 * {@value #PROBE_FILE} there for every JVM until the host reboots (it is keyed by the kernel's boot id), so
 * only the first provider on a host pays for the probe. Instances are thread-safe.
 */
@API(status = API.Status.INTERNAL)
public final class KvmProbe {

    /** The file in the cache directory that remembers the answer for other JVMs. */
    public static final String PROBE_FILE = "kvm-probe.json";
    /** What built templates print on the serial console once their SSH server listens. */
    public static final String READY = "TESTBED-READY";

    /** What the tiny template's initramfs prints on the serial console when it cannot switch to the root. */
    public static final String INITRAMFS_ERROR = "TESTBED-INITRAMFS-ERROR";

    private static final String HOSTNAME = "kvm-probe";
    // the guest's user-mode network (inside 198.18.0.0/15, never QEMU's default 10.0.2.0/24); nothing connects to it
    private static final String GUEST_NETWORK = "198.19.253.0/24";
    private static final String GUEST_ADDRESS = "198.19.253.15";
    private static final String GATEWAY_ADDRESS = "198.19.253.2";
    private static final String GUEST_MAC = "52:54:00:c6:13:fd";

    private final Consumer<String> progress;
    private final Path cacheDirectory;
    private final Path kvmDevice;
    private final String probeAccelerator;
    private final Map<String, Boolean> answers = new ConcurrentHashMap<>();

    /**
     * @param progress       receives one line per probe step; may be {@code line -> {}}
     * @param cacheDirectory where the answer is remembered for other JVMs until the host reboots (e.g.
     *                       {@link TemplateStore#root()}); null to remember it in this instance only
     */
    public KvmProbe(Consumer<String> progress, Path cacheDirectory) {
        this(progress, cacheDirectory, Path.of("/dev/kvm"), "kvm");
    }

    /**
     * A probe that checks {@code kvmDevice} instead of {@code /dev/kvm} and boots its guest with QEMU's
     * {@code probeAccelerator}: tests give a missing path for the "no device" outcome, and a read-writable file
     * with {@code tcg} for the "guest ready" outcome, on any host.
     */
    KvmProbe(Consumer<String> progress, Path cacheDirectory, Path kvmDevice, String probeAccelerator) {
        this.progress = Objects.requireNonNull(progress, "progress");
        this.cacheDirectory = cacheDirectory;
        this.kvmDevice = Objects.requireNonNull(kvmDevice, "kvmDevice");
        this.probeAccelerator = Objects.requireNonNull(probeAccelerator, "probeAccelerator");
    }

    /**
     * Whether a KVM guest of {@code template} reaches its readiness marker within {@code timeout}. Templates that
     * boot from a disk image print no marker and are not probed ({@code false}).
     *
     * @return true only when the guest announced readiness under KVM in time
     */
    public boolean kvmUsable(Template template, Duration timeout) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(timeout, "timeout");
        Path kvm = kvmDevice;
        if (!Files.exists(kvm) || !Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            progress.accept("KVM probe: " + kvm + " is missing or not read-writable by this user; using TCG");
            return false;
        }
        if (!template.bootsFromKernel()) {
            progress.accept("KVM probe: template " + template.name() + " prints no readiness marker; using TCG");
            return false;
        }
        return answers.computeIfAbsent(template.disk().toString(), disk -> probeOnce(template, timeout));
    }

    /** What the probe remembers for other JVMs: valid for one host boot and one template disk. */
    record KvmProbeAnswer(String bootId, String templateDisk, boolean usable, Instant probedAt) {}

    private boolean probeOnce(Template template, Duration timeout) {
        String bootId = bootId();
        Path file = cacheDirectory == null ? null : cacheDirectory.resolve(PROBE_FILE);
        if (file != null && bootId != null && Files.isRegularFile(file)) {
            try {
                KvmProbeAnswer answer = Json.mapper().readValue(file.toFile(), KvmProbeAnswer.class);
                if (bootId.equals(answer.bootId()) && template.disk().toString().equals(answer.templateDisk())) {
                    progress.accept("KVM probe: " + (answer.usable() ? "usable" : "not usable") + " (answer from "
                            + answer.probedAt() + " in " + file + "; delete it to probe again)");
                    return answer.usable();
                }
            } catch (IOException | RuntimeException e) {
                progress.accept("KVM probe: ignoring unreadable " + file + " (" + e + ")");
            }
        }
        boolean usable = reachesReadiness(template, timeout, probeAccelerator);
        if (file != null && bootId != null) {
            remember(file, new KvmProbeAnswer(bootId, template.disk().toString(), usable, Instant.now()));
        }
        return usable;
    }

    private void remember(Path file, KvmProbeAnswer answer) {
        try {
            Files.createDirectories(cacheDirectory);
            AtomicFiles.writeJson(file, answer);
            Files.setPosixFilePermissions(file, FileModes.READABLE_FILE);
        } catch (IOException | RuntimeException e) {
            progress.accept("KVM probe: cannot remember the answer in " + file + " (" + e + ")");
        }
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Boots {@code template} once with QEMU's {@code accelerator} ({@code kvm}; {@code tcg} in tests, where KVM may be
     * missing) and tells whether the guest printed {@value #READY} within {@code timeout}. Kills QEMU and deletes the
     * probe's files before it returns.
     */
    boolean reachesReadiness(Template template, Duration timeout, String accelerator) {
        Deadline deadline = Deadline.after(timeout);
        Path work = null;
        Process process = null;
        try {
            work = Files.createTempDirectory(
                    "testbed-kvmprobe-", PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY_DIRECTORY));
            Path seed = seed(work).writeTo(work);
            Path overlay = QemuImg.overlay(template, work.resolve("overlay.qcow2"));
            Path console = work.resolve("console.log");
            List<String> command = commandLine(template, accelerator, overlay, seed, console);
            try {
                process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("qemu.log").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
            } catch (IOException e) {
                progress.accept("KVM probe: cannot start `" + String.join(" ", command) + "` (" + e.getMessage()
                        + "); using TCG");
                return false;
            }
            String outcome = awaitMarker(process, console, deadline);
            double seconds = deadline.elapsed().toNanos() / 1e9;
            if (outcome == null) {
                progress.accept(
                        String.format("KVM probe: guest announced readiness under %s in %.2f s", accelerator, seconds));
                return true;
            }
            progress.accept(
                    String.format("KVM probe: %s under %s after %.1f s; using TCG", outcome, accelerator, seconds));
            return false;
        } catch (IOException | RuntimeException e) {
            progress.accept("KVM probe: failed (" + e.getMessage() + "); using TCG");
            return false;
        } finally {
            stop(process);
            FileTrees.deleteQuietly(work);
        }
    }

    private static SeedIso seed(Path work) throws IOException {
        SshKeys.KeyFiles clientKey = SshKeys.generate(work.resolve("client_ed25519"), "testbed-kvm-probe");
        SshKeys.KeyFiles hostKey = SshKeys.generate(work.resolve("host_ed25519"), HOSTNAME);
        return SeedIso.builder()
                .hostname(HOSTNAME)
                .authorizedKey(clientKey.publicLine())
                .hostKey(hostKey)
                .nic(new SeedIso.Nic(
                        GUEST_MAC, InetAddress.getByName(GUEST_ADDRESS), 24, InetAddress.getByName(GATEWAY_ADDRESS), 0))
                .build();
    }

    private static List<String> commandLine(
            Template template, String accelerator, Path overlay, Path seed, Path console) {
        List<String> command = new ArrayList<>(List.of(
                "qemu-system-x86_64",
                "-name",
                "testbed-" + HOSTNAME,
                "-machine",
                "pc",
                "-accel",
                accelerator,
                "-m",
                "256",
                "-smp",
                "1",
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
                "-monitor",
                "none",
                "-serial",
                "file:" + console,
                "-kernel",
                template.kernel().orElseThrow().toString(),
                "-initrd",
                template.initrd().orElseThrow().toString(),
                "-append",
                template.kernelCommandLine().orElseThrow(),
                "-drive",
                "file=" + overlay + ",if=virtio,format=qcow2",
                "-drive",
                "file=" + seed + ",if=virtio,format=raw,readonly=on",
                "-netdev",
                "user,id=n0,net=" + GUEST_NETWORK + ",host=" + GATEWAY_ADDRESS + ",restrict=on",
                "-device",
                "virtio-net-pci,netdev=n0,mac=" + GUEST_MAC,
                // entropy from the host: without it the guest's first key operation waits for its random pool
                "-object",
                "rng-random,id=rng0,filename=/dev/urandom",
                "-device",
                "virtio-rng-pci,rng=rng0"));
        return command;
    }

    /** Null once the marker is on the console, else why not. */
    private static String awaitMarker(Process process, Path console, Deadline deadline) {
        while (!deadline.expired()) {
            String text = consoleText(console);
            if (text.contains(READY)) {
                return null;
            }
            if (text.contains(INITRAMFS_ERROR)) {
                return "the guest's initramfs reported an error";
            }
            if (!process.isAlive()) {
                return "QEMU exited with code " + process.exitValue();
            }
            try {
                deadline.pause(Duration.ofMillis(50));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "no readiness marker";
    }

    private static String consoleText(Path console) {
        try {
            return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
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
}
