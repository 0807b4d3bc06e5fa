package io.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.ExecResult;
import io.testbed.images.Template;
import io.testbed.images.TemplateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import net.schmizz.sshj.sftp.SFTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds (or reuses) the tiny template in the default store and boots it with the bench's bare-QEMU anchor under
 * TCG: the real kernel, seed, dropbear, tc and SFTP.
 */
class TinyTemplateIT {

    private static final List<String> storeLog = Collections.synchronizedList(new ArrayList<>());
    private static Template template;
    private static BareQemu qemu;
    private static BareQemuGuest guest;

    @BeforeAll
    static void buildAndBoot() {
        TemplateStore store = TemplateStore.openDefault(line -> {
            storeLog.add(line);
            System.out.println("[store] " + line);
        });
        template = store.resolve(TemplateStore.TINY);
        System.out.printf(
                "[sizes] kernel %d B, initrd %d B, root.qcow2 %d B (virtual %d B, root files %d B)%n",
                template.manifest().fileSizes().get("vmlinuz"),
                template.manifest().fileSizes().get("initrd.img"),
                template.manifest().diskActualSize(),
                template.manifest().diskVirtualSize(),
                template.manifest().rootTreeBytes());
        qemu = new BareQemu(line -> System.out.println("[qemu] " + line));
        guest = qemu.boot(template, BareQemu.Options.defaults().withHostname("tiny-it"));
    }

    @AfterAll
    static void shutDown() {
        if (guest != null) {
            guest.close();
        }
    }

    private static ExecResult ok(String command) {
        ExecResult result = guest.run(command);
        assertThat(result.exitCode())
                .as("%s%nstdout: %s%nstderr: %s", result.summary(), result.stdout(), result.stderr())
                .isZero();
        return result;
    }

    @Test
    void guestRunsTheCloudKernelWithTheIdentityFromTheSeed() {
        assertThat(ok("uname -r").stdout().strip())
                .isEqualTo(template.manifest().kernelVersion());
        assertThat(ok("hostname").stdout().strip()).isEqualTo("tiny-it");
        String addresses = ok("ip -o addr").stdout();
        System.out.println("[guest] ip -o addr:\n" + addresses);
        assertThat(addresses).contains("eth0    inet " + BareQemu.GUEST_ADDRESS + "/24");
        assertThat(ok("ip -o link show eth0").stdout()).contains(BareQemu.GUEST_MAC);
        assertThat(ok("ip route show default").stdout())
                .contains("default via " + BareQemu.GATEWAY_ADDRESS + " dev eth0");
        assertThat(ok("cat /etc/resolv.conf").stdout()).contains("nameserver " + BareQemu.DNS_ADDRESS);
        assertThat(guest.consoleTail())
                .contains("TESTBED-HOSTKEY "
                        + String.join(" ", List.of(guest.hostKey().split(" ")).subList(0, 2)))
                .contains("TESTBED-READY");
    }

    @Test
    void iproute2TcAndTheNetemModuleWork() {
        assertThat(ok("tc -V").stdout()).contains("iproute2");
        ok("modprobe sch_netem");
        assertThat(ok("lsmod").stdout()).contains("sch_netem");
        ok("tc qdisc replace dev eth0 root netem delay 1ms");
        assertThat(ok("tc qdisc show dev eth0").stdout()).contains("netem").contains("delay 1ms");
        ok("tc qdisc del dev eth0 root");
    }

    @Test
    void sftpRoundTripKeepsEveryByte(@TempDir Path local) throws IOException, NoSuchAlgorithmException {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new SecureRandom().nextBytes(data);
        Path upload = Files.write(local.resolve("upload.bin"), data);
        Path download = local.resolve("download.bin");
        try (SFTPClient sftp = guest.ssh().newSFTPClient()) {
            sftp.put(upload.toString(), "/root/blob.bin");
            sftp.get("/root/blob.bin", download.toString());
        }
        assertThat(Files.readAllBytes(download)).isEqualTo(data);
        String sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(ok("sha256sum /root/blob.bin").stdout()).startsWith(sha256);
    }

    @Test
    void rootFileSystemIsWritableExt4WithPasswordLoginsDisabledAndNoConsoleShell() {
        ok("echo written-by-test > /var/tmp/marker && sync");
        assertThat(ok("cat /var/tmp/marker").stdout()).isEqualTo("written-by-test\n");
        assertThat(ok("grep ' / ' /proc/mounts").stdout()).contains("ext4").contains("rw");
        String processes = ok("ps -o args").stdout();
        assertThat(processes).contains("dropbear -F -E -s").doesNotContain("getty");
        assertThat(ok("cat /proc/1/cmdline | tr '\\0' ' '").stdout()).startsWith("init");
        assertThat(ok("test -x /usr/lib/sftp-server && echo present").stdout()).contains("present");
    }

    @Test
    void cachedTemplateIsReusedWithoutRebuildAndEveryBootStartsFromAFreshOverlay() {
        ok("echo persisted? > /root/only-in-first-guest");
        List<String> secondLog = Collections.synchronizedList(new ArrayList<>());
        TemplateStore again = TemplateStore.openDefault(secondLog::add);
        Template reused = again.resolve(TemplateStore.TINY);
        assertThat(again.buildCount()).isZero();
        assertThat(secondLog).anyMatch(line -> line.startsWith("template tiny: cached "));
        assertThat(reused.disk()).isEqualTo(template.disk());

        for (int boot = 2; boot <= 3; boot++) {
            try (BareQemuGuest next =
                    qemu.boot(reused, BareQemu.Options.defaults().withHostname("tiny-it-" + boot))) {
                assertThat(next.run("hostname").stdout().strip()).isEqualTo("tiny-it-" + boot);
                assertThat(next.run("test -e /root/only-in-first-guest").exitCode())
                        .isNotZero();
            }
        }
    }

    @Test
    void poweroffInTheGuestStopsQemu() {
        try (BareQemuGuest machine =
                qemu.boot(template, BareQemu.Options.defaults().withHostname("tiny-off"))) {
            machine.run("poweroff");
            assertThat(machine.waitForExit(Duration.ofSeconds(60)))
                    .as("QEMU exited after poweroff")
                    .isTrue();
            assertThat(machine.consoleTail()).contains("reboot: Power down");
        }
    }

    @Test
    void guestAnswersCommandsOneAfterAnotherOnAPersistentConnection() {
        // how fast is the bench's business (exec group); here only that each command is answered in order
        for (int i = 0; i < 5; i++) {
            ExecResult result = guest.run("echo " + i, Duration.ofSeconds(30));
            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo(i + "\n");
        }
    }
}
