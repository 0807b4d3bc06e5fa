package io.testbed.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.testbed.core.internal.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The QEMU command lines of the cold-boot anchors, as argument lists.
 *
 * <ul>
 *   <li>{@link #fromLibvirtLog}: the command line libvirt ran for a domain, read from the domain's log
 *       ({@code /var/log/libvirt/qemu/<domain>.log}, which libvirt writes before each start).</li>
 *   <li>{@link #withoutLibvirt}: the same command line made runnable by hand — what libvirt passes as file
 *       descriptors (its monitor socket, the tap, the console log) opened by QEMU itself, the domain's own files
 *       replaced by the anchor's, and libvirt's start-paused {@code -S} dropped; disks, cache modes, CPU, machine
 *       type, firmware, memory, devices and sandbox stay as they are.</li>
 *   <li>{@link #microvm}: the floor — QEMU's {@code microvm} machine, direct kernel boot of the same kernel,
 *       initramfs and root, no BIOS, PCI only for the virtio disks and NIC.</li>
 * </ul>
 * Pure functions of their inputs; the parsing is by hand because libvirt's log is shell text, not a format a
 * library reads (single quotes and backslash-newline continuations only).
 */
final class QemuCommandLine {

    /** Where the anchor's own files and devices go. */
    record Substitutions(String name, Map<String, String> files, String tap, String mac, Path console) {
        Substitutions {
            Objects.requireNonNull(name, "name");
            files = Map.copyOf(files);
            Objects.requireNonNull(tap, "tap");
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(console, "console");
        }
    }

    /** What the floor's kernel is told under TCG instead of calibrating its clocks (see {@link #microvm}). */
    static final String TCG_TIMING = "tsc_early_khz=2000000 lpj=4000000";

    private QemuCommandLine() {}

    /**
     * The arguments of the last QEMU command line in a libvirt domain log, the program first.
     *
     * @throws IllegalArgumentException when the log holds no QEMU command line
     */
    static List<String> fromLibvirtLog(String log) {
        List<String> lines = log.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("qemu-system-") && lines.get(i).endsWith("\\")) {
                start = i;
            }
        }
        if (start < 0) {
            throw new IllegalArgumentException("the libvirt domain log holds no QEMU command line (a line naming"
                    + " qemu-system-… and ending with a backslash); did the domain start?");
        }
        StringBuilder text = new StringBuilder();
        for (int i = start; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean continued = line.endsWith("\\");
            text.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continued) {
                break;
            }
        }
        return split(text.toString());
    }

    /** Splits shell text into words: whitespace separates, single quotes keep everything, a backslash escapes. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                int end = text.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated single quote at " + i + " in: " + text);
                }
                word = word == null ? new StringBuilder() : word;
                word.append(text, i + 1, end);
                i = end;
            } else if (c == '\\' && i + 1 < text.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(text.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * Libvirt's command line, runnable without libvirt: see the class comment.
     *
     * @throws IllegalArgumentException when the command line lacks the tap NIC or the serial console the anchor
     *                                  needs
     */
    static List<String> withoutLibvirt(List<String> libvirt, Substitutions with) {
        List<String> out = new ArrayList<>();
        boolean tap = false;
        boolean console = false;
        for (int i = 0; i < libvirt.size(); i++) {
            String arg = libvirt.get(i);
            String value = i + 1 < libvirt.size() ? libvirt.get(i + 1) : "";
            switch (arg) {
                case "-S" -> {} // libvirt starts QEMU paused and resumes it over its monitor
                case "-add-fd", "-mon", "-loadvm" -> i++; // libvirt's fd sets, monitor, restore on revert
                case "-object" -> {
                    i++;
                    if (!value.contains("\"qom-type\":\"secret\"")) { // libvirt's master key for its secrets
                        out.addAll(List.of(arg, replaceFiles(value, with)));
                    }
                }
                case "-chardev" -> {
                    i++;
                    if (value.startsWith("pty,") && value.contains("id=charserial0")) {
                        out.addAll(List.of(arg, "pty,id=charserial0,logfile=" + with.console() + ",logappend=on"));
                        console = true;
                    } else if (!value.contains("fd=")) {
                        out.addAll(List.of(arg, value));
                    } // else the monitor socket libvirt passed as a descriptor
                }
                case "-netdev" -> {
                    i++;
                    out.addAll(List.of(arg, tapNetdev(value, with.tap())));
                    tap = true;
                }
                case "-device" -> {
                    i++;
                    out.addAll(List.of(
                            arg, value.replaceAll("\"mac\":\"[0-9a-fA-F:]+\"", "\"mac\":\"" + with.mac() + "\"")));
                }
                case "-name" -> {
                    i++;
                    out.addAll(List.of(arg, value.replaceFirst("guest=[^,]*", "guest=" + with.name())));
                }
                default -> out.add(replaceFiles(arg, with));
            }
        }
        if (!tap || !console) {
            throw new IllegalArgumentException("libvirt's command line has " + (tap ? "" : "no -netdev (tap) ")
                    + (console ? "" : "no pty serial console (charserial0) ") + ": " + String.join(" ", libvirt));
        }
        return List.copyOf(out);
    }

    private static String replaceFiles(String arg, Substitutions with) {
        String result = arg;
        for (Map.Entry<String, String> file : with.files().entrySet()) {
            result = result.replace(file.getKey(), file.getValue());
        }
        return result;
    }

    /** Libvirt's {@code {"type":"tap","fd":"40",…}} as a tap QEMU opens by name, with no scripts. */
    private static String tapNetdev(String netdev, String tap) {
        try {
            ObjectNode node = (ObjectNode) Json.mapper().readTree(netdev);
            if (!node.path("type").asText().equals("tap")) {
                throw new IllegalArgumentException("libvirt's -netdev is not a tap: " + netdev);
            }
            node.remove(List.of("fd", "fds", "vhost", "vhostfd", "vhostfds"));
            node.put("ifname", tap);
            node.put("script", "no");
            node.put("downscript", "no");
            return node.toString(); // compact JSON
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("libvirt's -netdev is not a JSON object: " + netdev, e);
        }
    }

    /**
     * The floor anchor: the {@code microvm} machine with direct kernel boot of {@code kernel} and {@code initrd}
     * (no SeaBIOS, no option ROMs, no legacy devices but the serial port), the overlay and seed as virtio-blk and
     * the NIC as virtio-net on the tap, on microvm's PCIe host (the tiny template's initramfs loads the virtio PCI
     * drivers, not virtio-mmio). Under TCG the kernel gets a TSC frequency and loops-per-jiffy ({@link #TCG_TIMING}):
     * without a PIT (and without KVM's clock) it hangs calibrating them.
     */
    static List<String> microvm(
            String accelerator,
            String cpu,
            int memoryMb,
            Path kernel,
            Path initrd,
            String kernelCommandLine,
            Path overlay,
            Path seed,
            String tap,
            String mac,
            Path console) {
        return List.of(
                "qemu-system-x86_64",
                "-name",
                "guest=testbed-bench-floor",
                "-machine",
                "microvm,pcie=on,rtc=on,x-option-roms=off",
                "-accel",
                accelerator,
                "-cpu",
                cpu,
                "-m",
                String.valueOf(memoryMb),
                "-smp",
                "1",
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-serial",
                "file:" + console,
                "-kernel",
                kernel.toString(),
                "-initrd",
                initrd.toString(),
                "-append",
                accelerator.equals("tcg") ? kernelCommandLine + " " + TCG_TIMING : kernelCommandLine,
                "-drive",
                "file=" + overlay + ",if=none,id=root,format=qcow2,cache=unsafe",
                "-device",
                "virtio-blk-pci,drive=root",
                "-drive",
                "file=" + seed + ",if=none,id=seed,format=raw,readonly=on",
                "-device",
                "virtio-blk-pci,drive=seed",
                "-netdev",
                "tap,id=n0,ifname=" + tap + ",script=no,downscript=no",
                "-device",
                "virtio-net-pci,netdev=n0,mac=" + mac,
                "-object",
                "rng-random,id=rng0,filename=/dev/urandom",
                "-device",
                "virtio-rng-pci,rng=rng0");
    }
}
