package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spi.MachinePlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Room for one environment's data disks on the file system that holds its prefix. A qcow2 disk is sparse: a disk of
 * any declared size is created at once and takes room only as the guest writes to it, so a disk larger than the free
 * space would be created without complaint and fail only when the guest fills it — write errors in the middle of a
 * test, or QEMU pausing the guest on ENOSPC. So, before a machine's files are created, its data disks must fit in the
 * usable space together with the disks this environment has already been given (sparse too, so not yet counted in
 * the file system's free space). What the guest writes to its root overlay is not counted: it is bounded by the
 * template, not by a declared size.
 */
final class DiskSpace {

    private static final long MIB = 1024 * 1024;

    private final ToLongFunction<Path> usableBytes;
    private long promised;

    /** Room as the file system reports it ({@link java.nio.file.FileStore#getUsableSpace()}). */
    DiskSpace() {
        this(DiskSpace::usableSpace);
    }

    /** Room as {@code usableBytes} reports it for a directory (a test's stand-in for the file system). */
    DiskSpace(ToLongFunction<Path> usableBytes) {
        this.usableBytes = usableBytes;
    }

    /**
     * Promises the machine's data disks room under {@code disksDir}.
     *
     * @throws TestbedException naming the machine, its disks, their sizes and the free bytes when they do not fit
     */
    synchronized void reserve(MachinePlan plan, Path disksDir) {
        long needed = plan.spec().disks().stream()
                .mapToLong(disk -> disk.sizeMb() * MIB)
                .sum();
        if (needed == 0) {
            return;
        }
        long usable = usableBytes.applyAsLong(disksDir);
        if (promised + needed > usable) {
            String disks = plan.spec().disks().stream().map(DiskSpace::describe).collect(Collectors.joining(", "));
            String others = promised == 0
                    ? ""
                    : " (" + promised + " bytes of it already promised to this environment's other data disks)";
            throw new TestbedException("machine '" + plan.name() + "': its data disks (" + disks + ") need " + needed
                    + " bytes, but the file system of " + disksDir + " has " + usable + " bytes free" + others
                    + ". A qcow2 disk is sparse: it would be created, and the guest's writes would fail once it grows"
                    + " past the free space. Declare a smaller @Disk sizeMb, free space there, or set "
                    + TestbedConfig.PREFIX_ROOT + " to a larger file system");
        }
        promised += needed;
    }

    /** Gives back the room of a machine whose creation failed. */
    synchronized void release(MachinePlan plan) {
        promised -= Math.min(
                promised,
                plan.spec().disks().stream()
                        .mapToLong(disk -> disk.sizeMb() * MIB)
                        .sum());
    }

    private static String describe(DiskSpec disk) {
        return "@Disk(name = \"" + disk.name() + "\") sizeMb = " + disk.sizeMb() + ", " + disk.sizeMb() * MIB
                + " bytes";
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the free space of " + dir, e);
        }
    }
}
