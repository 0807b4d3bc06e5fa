package io.testbed.reliability;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host's libvirtd, killed and started again by {@link DeadDaemonsIT}: killed with SIGKILL (the QEMU processes it
 * started live on), started again the way the set-up starts it ({@code scripts/setup-host.sh --only=libvirt}). Every
 * other user of the host loses libvirt meanwhile: the IT runs it in the sequential build only (contributors running
 * it by hand take the host exclusively first).
 */
final class HostLibvirtd {

    private static final Path PID_FILE = Path.of("/run/libvirtd.pid");

    private HostLibvirtd() {}

    /** SIGKILLs libvirtd and waits until it is gone. */
    static void kill() throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readString(PID_FILE).strip());
        ProcessHandle libvirtd = ProcessHandle.of(pid)
                .filter(p -> p.info().command().orElse("").endsWith("libvirtd"))
                .orElseThrow(() -> new IllegalStateException(PID_FILE + " names pid " + pid + ", not a libvirtd"));
        libvirtd.destroyForcibly();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (libvirtd.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (answers()) {
            throw new IllegalStateException("libvirtd still answers after SIGKILL of pid " + pid);
        }
    }

    /** Starts libvirtd with the set-up script when it does not answer; fails when it still does not. */
    static void startIfDown() {
        if (answers()) {
            return;
        }
        Path script = Path.of("").toAbsolutePath().getParent().resolve("scripts/setup-host.sh");
        LocalCommand.of("bash", script.toString(), "--only=libvirt")
                .timeout(Duration.ofMinutes(3))
                .check("start libvirtd again");
        if (!answers()) {
            throw new IllegalStateException("libvirtd does not answer after " + script + " --only=libvirt");
        }
    }

    private static boolean answers() {
        return LocalCommand.of(
                        "virsh", "-c", TestbedConfig.of(java.util.Map.of()).libvirtUri(), "version")
                .timeout(Duration.ofSeconds(30))
                .run()
                .succeeded();
    }
}
