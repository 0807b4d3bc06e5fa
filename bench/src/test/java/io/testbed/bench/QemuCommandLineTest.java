package io.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading libvirt's QEMU command line from a real domain log, and making it runnable without libvirt. */
class QemuCommandLineTest {

    private static final String PREFIX = "/work/wt/images/providers/libvirt/target/testbed-it/pair-bfdb8311";
    private static final Path CONSOLE = Path.of("/tmp/anchor/console.log");

    private static String log() throws IOException {
        try (InputStream in = QemuCommandLineTest.class.getResourceAsStream("/libvirt-domain.log")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static QemuCommandLine.Substitutions substitutions() {
        return new QemuCommandLine.Substitutions(
                "anchor",
                Map.of(
                        PREFIX + "/disks/db.qcow2",
                        "/tmp/anchor/overlay.qcow2",
                        PREFIX + "/disks/db-seed.iso",
                        "/tmp/anchor/seed.iso",
                        PREFIX + "/disks/db-data.qcow2",
                        "/tmp/anchor/data.qcow2"),
                "tbt-12345678",
                "52:54:00:be:4c:0f",
                CONSOLE);
    }

    @Test
    void readsTheProgramAndEveryArgumentWithoutEnvironmentOrQuotes() throws IOException {
        List<String> command = QemuCommandLine.fromLibvirtLog(log());
        assertThat(command.get(0)).isEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(command)
                .containsSequence("-machine", "pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram");
        assertThat(command)
                .containsSequence("-cpu", "qemu64")
                .containsSequence("-m", "256")
                .containsSequence("-append", "console=ttyS0 root=LABEL=testbed-root quiet panic=-1");
        assertThat(command).noneMatch(arg -> arg.startsWith("LC_ALL=") || arg.contains("'") || arg.equals("\\"));
        assertThat(command.get(command.size() - 1)).isEqualTo("timestamp=on");
    }

    @Test
    void takesTheLastStartOfTheDomain() throws IOException {
        String older = log().replace("-m 256", "-m 512");
        assertThat(QemuCommandLine.fromLibvirtLog(older + "shutting down, reason=destroyed\n" + log()))
                .containsSequence("-m", "256");
        assertThatThrownBy(() -> QemuCommandLine.fromLibvirtLog("shutting down, reason=destroyed\n"))
                .hasMessageContaining("no QEMU command line");
    }

    @Test
    void splitsShellWordsWithSingleQuotesAndEscapes() {
        assertThat(QemuCommandLine.split("a 'b c' d\\ e '{\"x\":1}'x  "))
                .containsExactly("a", "b c", "d e", "{\"x\":1}x");
        assertThatThrownBy(() -> QemuCommandLine.split("a 'b")).hasMessageContaining("unterminated");
    }

    @Test
    void withoutLibvirtKeepsDisksCacheCpuMachineAndFirmwareAndReplacesWhatLibvirtOpened() throws IOException {
        List<String> libvirt = QemuCommandLine.fromLibvirtLog(log());
        List<String> bare = QemuCommandLine.withoutLibvirt(libvirt, substitutions());
        String text = String.join(" ", bare);
        assertThat(bare).doesNotContain("-S", "-add-fd", "-mon");
        assertThat(text).doesNotContain("fd=", "/dev/fdset", "masterKey0", PREFIX);
        assertThat(bare)
                .containsSequence("-machine", "pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram")
                .containsSequence("-cpu", "qemu64")
                .containsSequence("-accel", "tcg")
                .containsSequence("-m", "256")
                .contains("-no-shutdown", "-nodefaults");
        assertThat(bare).containsSequence("-name", "guest=anchor,debug-threads=on");
        assertThat(bare).containsSequence("-chardev", "pty,id=charserial0,logfile=" + CONSOLE + ",logappend=on");
        assertThat(bare)
                .containsSequence(
                        "-netdev",
                        "{\"type\":\"tap\",\"id\":\"hostnet0\",\"ifname\":\"tbt-12345678\",\"script\":\"no\",\"downscript\":\"no\"}");
        assertThat(text).contains("\"mac\":\"52:54:00:be:4c:0f\"").contains("\"host_mtu\":1400");
        // the overlay keeps libvirt's cache mode (cache=unsafe: no O_DIRECT, flushes ignored) and its backing file
        assertThat(bare)
                .anyMatch(arg -> arg.contains("\"filename\":\"/tmp/anchor/overlay.qcow2\"")
                        && arg.contains("\"cache\":{\"direct\":false,\"no-flush\":true}"));
        assertThat(text)
                .contains("/var/cache/testbed/templates/tiny/")
                .contains("\"filename\":\"/tmp/anchor/seed.iso\"");
        assertThat(bare.size()).isEqualTo(libvirt.size() - 1 - 2 - 2 - 2 - 2); // -S, secret, add-fd, monitor ×2
    }

    @Test
    void withoutLibvirtRefusesACommandLineWithoutTapOrConsole() throws IOException {
        List<String> noTap = QemuCommandLine.fromLibvirtLog(log()).stream()
                .map(arg -> arg.replace("\"type\":\"tap\"", "\"type\":\"user\""))
                .toList();
        assertThatThrownBy(() -> QemuCommandLine.withoutLibvirt(noTap, substitutions()))
                .hasMessageContaining("not a tap");
        List<String> noConsole = QemuCommandLine.fromLibvirtLog(log()).stream()
                .map(arg -> arg.replace("charserial0", "other"))
                .toList();
        assertThatThrownBy(() -> QemuCommandLine.withoutLibvirt(noConsole, substitutions()))
                .hasMessageContaining("no pty serial console");
    }

    @Test
    void floorIsMicrovmWithDirectKernelBootAndTheSameGuest() {
        List<String> floor = QemuCommandLine.microvm(
                "tcg",
                "qemu64",
                128,
                Path.of("/t/vmlinuz"),
                Path.of("/t/initrd"),
                "console=ttyS0 root=LABEL=testbed-root",
                Path.of("/w/overlay.qcow2"),
                Path.of("/w/seed.iso"),
                "tbt-1",
                "52:54:00:be:4c:0f",
                CONSOLE);
        assertThat(floor)
                .containsSequence("-machine", "microvm,pcie=on,rtc=on,x-option-roms=off")
                .containsSequence("-cpu", "qemu64")
                .containsSequence("-accel", "tcg")
                .containsSequence("-m", "128")
                .containsSequence("-kernel", "/t/vmlinuz")
                .containsSequence("-initrd", "/t/initrd")
                .doesNotContain("-bios");
        assertThat(String.join(" ", floor))
                .contains("root=LABEL=testbed-root")
                .contains("file=/w/overlay.qcow2,if=none,id=root,format=qcow2,cache=unsafe")
                .contains("tap,id=n0,ifname=tbt-1,script=no,downscript=no")
                .contains("mac=52:54:00:be:4c:0f");
        assertThat(floor).contains("console=ttyS0 root=LABEL=testbed-root " + QemuCommandLine.TCG_TIMING);
        List<String> kvm = QemuCommandLine.microvm(
                "kvm",
                "host",
                128,
                Path.of("/t/vmlinuz"),
                Path.of("/t/initrd"),
                "console=ttyS0",
                Path.of("/w/o"),
                Path.of("/w/s"),
                "tbt-1",
                "52:54:00:be:4c:0f",
                CONSOLE);
        assertThat(kvm).containsSequence("-append", "console=ttyS0").containsSequence("-accel", "kvm");
    }
}
