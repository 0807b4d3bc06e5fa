package io.testbed.images;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough of an ELF64 little-endian reader to compute a root file system's closure: the shared
 * libraries a program needs ({@code DT_NEEDED}) and a kernel module's dependencies ({@code .modinfo
 * depends=}). Reading it ourselves avoids needing binutils or kmod on the host.
 */
final class ElfFile {
    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;

    private final Path path;
    private final ByteBuffer data;
    private final List<Section> sections = new ArrayList<>();

    private record Section(String name, int type, long offset, long size, int link) {}

    private ElfFile(Path path, byte[] bytes) {
        this.path = path;
        this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        readSections();
    }

    /** Whether {@code file} starts with the ELF magic. */
    static boolean isElf(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    static ElfFile read(Path file) {
        try {
            return new ElfFile(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new TemplateException("Cannot read ELF file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The sonames this object needs at run time, in file order; empty for static programs. */
    List<String> neededLibraries() {
        List<String> needed = new ArrayList<>();
        for (Section section : sections) {
            if (section.type() != SHT_DYNAMIC) {
                continue;
            }
            Section strings = sections.get(section.link());
            for (long at = section.offset(); at + 16 <= section.offset() + section.size(); at += 16) {
                long tag = data.getLong((int) at);
                long value = data.getLong((int) at + 8);
                if (tag == DT_NULL) {
                    break;
                }
                if (tag == DT_NEEDED) {
                    needed.add(cString(strings.offset() + value));
                }
            }
        }
        return needed;
    }

    /** A kernel module's {@code depends=} list (module names), empty when it has none. */
    List<String> moduleDependencies() {
        return modinfo("depends")
                .map(value -> value.isEmpty() ? List.<String>of() : List.of(value.split(",")))
                .orElse(List.of());
    }

    /** A kernel module's {@code .modinfo} field. */
    Optional<String> modinfo(String key) {
        for (Section section : sections) {
            if (!section.name().equals(".modinfo")) {
                continue;
            }
            String all = new String(data.array(), (int) section.offset(), (int) section.size(), StandardCharsets.UTF_8);
            for (String entry : all.split("\0")) {
                if (entry.startsWith(key + "=")) {
                    return Optional.of(entry.substring(key.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    private void readSections() {
        if (data.capacity() < 64
                || data.get(0) != 0x7f
                || data.get(1) != 'E'
                || data.get(2) != 'L'
                || data.get(3) != 'F') {
            throw new TemplateException(path + " is not an ELF file");
        }
        if (data.get(4) != 2 || data.get(5) != 1) {
            throw new TemplateException(
                    path + " is not a 64-bit little-endian ELF file; the tiny template is amd64 only");
        }
        long sectionHeaders = data.getLong(0x28);
        int entrySize = Short.toUnsignedInt(data.getShort(0x3A));
        int count = Short.toUnsignedInt(data.getShort(0x3C));
        int namesIndex = Short.toUnsignedInt(data.getShort(0x3E));
        if (sectionHeaders == 0 || count == 0) {
            return;
        }
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = (int) (sectionHeaders + (long) i * entrySize);
            raw.add(new long[] {
                Integer.toUnsignedLong(data.getInt(at)),
                data.getInt(at + 4),
                data.getLong(at + 24),
                data.getLong(at + 32),
                data.getInt(at + 40)
            });
        }
        long namesOffset = raw.get(namesIndex)[2];
        for (long[] header : raw) {
            sections.add(new Section(
                    cString(namesOffset + header[0]), (int) header[1], header[2], header[3], (int) header[4]));
        }
    }

    private String cString(long offset) {
        int start = (int) offset;
        int end = start;
        while (end < data.capacity() && data.get(end) != 0) {
            end++;
        }
        return new String(data.array(), start, end - start, StandardCharsets.UTF_8);
    }
}
