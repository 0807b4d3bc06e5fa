package io.testbed.images;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The tiny guest's {@code /usr/lib/testbed/reseed}: a static x86-64 Linux program that asks the kernel to reseed its
 * random number generator now ({@code ioctl(open("/dev/urandom"), RNDRESEEDCRNG)}, Linux ≥ 4.17, needs root) and
 * exits with 0, or with the negated error number.
 *
 * <p>Why a program of its own: a guest restored from a warm image ({@code providers/libvirt}) carries the memory of
 * the one boot the image was taken from, the kernel's random generator included, so clones started from it would
 * draw the same "random" bytes. Bytes written to {@code /dev/urandom} enter the input pool but reach the generator
 * only at its next reseed, which early after boot is up to half the uptime away; the Debian cloud kernel has no
 * VM-generation-ID driver, which would reseed on restore; busybox has no ioctl applet, and a scripting language in
 * the root would cost megabytes and 50–100 ms per start under TCG. So the recipe writes these 179 bytes itself: an
 * ELF header, one loadable segment and the code below.
 *
 * <pre>
 *   b8 02 00 00 00          mov  eax, 2            ; open(
 *   48 8d 3d 22 00 00 00    lea  rdi, [rip+0x22]   ;   "/dev/urandom",
 *   be 01 00 00 00          mov  esi, 1            ;   O_WRONLY)
 *   0f 05                   syscall
 *   89 c7                   mov  edi, eax          ; ioctl(fd,
 *   b8 10 00 00 00          mov  eax, 16
 *   be 07 52 00 00          mov  esi, 0x5207       ;   RNDRESEEDCRNG = _IO('R', 7),
 *   31 d2                   xor  edx, edx          ;   0)
 *   0f 05                   syscall
 *   89 c7                   mov  edi, eax          ; exit(-result)
 *   f7 df                   neg  edi
 *   b8 3c 00 00 00          mov  eax, 60
 *   0f 05                   syscall
 *   "/dev/urandom\0"
 * </pre>
 */
final class ReseedProgram {

    /** Where the root has it. */
    static final String PATH = "usr/lib/testbed/reseed";

    private static final long LOAD_ADDRESS = 0x400000L;
    private static final int ELF_HEADER_SIZE = 64;
    private static final int PROGRAM_HEADER_SIZE = 56;

    private static final byte[] CODE = bytes(
            0xb8, 0x02, 0x00, 0x00, 0x00, //
            0x48, 0x8d, 0x3d, 0x22, 0x00, 0x00, 0x00, //
            0xbe, 0x01, 0x00, 0x00, 0x00, //
            0x0f, 0x05, //
            0x89, 0xc7, //
            0xb8, 0x10, 0x00, 0x00, 0x00, //
            0xbe, 0x07, 0x52, 0x00, 0x00, //
            0x31, 0xd2, //
            0x0f, 0x05, //
            0x89, 0xc7, //
            0xf7, 0xdf, //
            0xb8, 0x3c, 0x00, 0x00, 0x00, //
            0x0f, 0x05);

    private static final byte[] DEVICE = "/dev/urandom\0".getBytes(StandardCharsets.US_ASCII);

    private ReseedProgram() {}

    /** The program file's bytes. */
    static byte[] elf() {
        int codeOffset = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;
        int size = codeOffset + CODE.length + DEVICE.length;
        ByteBuffer elf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        // ELF header: 64-bit, little-endian, version 1, System V ABI; an executable for x86-64
        elf.put(bytes(0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        elf.putShort((short) 2); // e_type: ET_EXEC
        elf.putShort((short) 0x3e); // e_machine: EM_X86_64
        elf.putInt(1); // e_version
        elf.putLong(LOAD_ADDRESS + codeOffset); // e_entry
        elf.putLong(ELF_HEADER_SIZE); // e_phoff
        elf.putLong(0); // e_shoff: no section headers
        elf.putInt(0); // e_flags
        elf.putShort((short) ELF_HEADER_SIZE);
        elf.putShort((short) PROGRAM_HEADER_SIZE);
        elf.putShort((short) 1); // e_phnum
        elf.putShort((short) 64); // e_shentsize
        elf.putShort((short) 0); // e_shnum
        elf.putShort((short) 0); // e_shstrndx
        // one PT_LOAD segment, readable and executable, mapping the whole file at LOAD_ADDRESS
        elf.putInt(1); // p_type: PT_LOAD
        elf.putInt(5); // p_flags: PF_R | PF_X
        elf.putLong(0); // p_offset
        elf.putLong(LOAD_ADDRESS); // p_vaddr
        elf.putLong(LOAD_ADDRESS); // p_paddr
        elf.putLong(size); // p_filesz
        elf.putLong(size); // p_memsz
        elf.putLong(0x1000); // p_align
        elf.put(CODE);
        elf.put(DEVICE);
        return elf.array();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
