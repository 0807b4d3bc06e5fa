package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.TestbedException;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spi.MachinePlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiskSpaceTest {

    private static final long MIB = 1024 * 1024;
    private static final Path DISKS = Path.of("/prefixes/env-1234/disks");

    private static MachinePlan machine(String name, DiskSpec... disks) {
        return new MachinePlan(
                new MachineSpec(name, "libvirt", "", 1, 128, List.of("lan"), List.of(disks), Set.of(), Map.of()),
                "tb-1234-" + name,
                List.of());
    }

    @Test
    void aDataDiskLargerThanTheFreeSpaceIsRefusedNamingTheMachineTheDiskItsSizeAndTheFreeBytes() {
        DiskSpace space = new DiskSpace(dir -> 100 * MIB);

        assertThatThrownBy(() -> space.reserve(machine("db", new DiskSpec("data", 101)), DISKS))
                .isInstanceOf(TestbedException.class)
                .hasMessageStartingWith("machine 'db': its data disks (@Disk(name = \"data\") sizeMb = 101, 105906176"
                        + " bytes) need 105906176 bytes, but the file system of " + DISKS
                        + " has 104857600 bytes free.")
                .hasMessageContaining("sparse")
                .hasMessageContaining("testbed.prefix.root");
    }

    @Test
    void disksThatFitAreGivenRoomAndMachinesWithoutDataDisksNeedNone() {
        DiskSpace space = new DiskSpace(dir -> 100 * MIB);

        space.reserve(machine("db", new DiskSpec("data", 60), new DiskSpec("logs", 40)), DISKS);
        space.reserve(machine("web"), DISKS);
    }

    @Test
    void disksAlreadyPromisedToTheEnvironmentCountSinceSparseDisksDoNotShowInTheFreeSpace() {
        DiskSpace space = new DiskSpace(dir -> 100 * MIB);
        space.reserve(machine("first", new DiskSpec("data", 60)), DISKS);

        assertThatThrownBy(() -> space.reserve(machine("second", new DiskSpec("data", 60)), DISKS))
                .hasMessageStartingWith("machine 'second': its data disks")
                .hasMessageContaining("(62914560 bytes of it already promised to this environment's other data disks)");
    }

    @Test
    void aMachineWhoseCreationFailedGivesItsRoomBack() {
        DiskSpace space = new DiskSpace(dir -> 100 * MIB);
        MachinePlan first = machine("first", new DiskSpec("data", 60));
        space.reserve(first, DISKS);
        space.release(first);

        space.reserve(machine("second", new DiskSpec("data", 60)), DISKS);
    }
}
