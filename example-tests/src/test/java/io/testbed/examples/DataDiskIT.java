package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.junit.Disk;
import io.testbed.junit.Role;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An extra data disk, declared with {@link Disk @Disk} on the {@code db} machine of the shared {@link TwoNodeLan}
 * topology.
 *
 * <p>Shows:
 * <ul>
 *   <li>using a named topology: the class carries only {@code @TwoNodeLan};</li>
 *   <li>injecting a machine by role with {@link Role @Role} ({@code backend} is played by {@code db} alone);</li>
 *   <li>the data disk as the guest sees it: an empty virtio disk after the root disk ({@code /dev/vdb}), of the
 *       declared size, which a test formats (busybox {@code mke2fs}), mounts, writes and reads back;</li>
 *   <li>that the baseline snapshot covers data disks too: after the revert the next test finds the disk empty
 *       again.</li>
 * </ul>
 */
@TwoNodeLan
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataDiskIT {

    private static final String DATA_DISK = "/dev/vdb";

    /** Set by {@code theDataDiskCanBeFormattedMountedWrittenAndReadBack}: the next test would pass vacuously without it (when run alone). */
    static boolean diskWritten;

    @Test
    @Order(1)
    void theDataDiskHasTheDeclaredSize(@Role("backend") Machine db) {
        assertThat(db.run("blockdev --getsize64 " + DATA_DISK)).succeeded().hasStdout(String.valueOf(64 * 1024 * 1024));
    }

    @Test
    @Order(2)
    void theDataDiskCanBeFormattedMountedWrittenAndReadBack(@Role("backend") Machine db) {
        db.runOk("mke2fs -q " + DATA_DISK + " && mkdir -p /data && mount " + DATA_DISK + " /data");
        db.runOk("echo 'kept on the data disk' > /data/greeting && umount /data");

        db.runOk("mount -o ro " + DATA_DISK + " /data");
        assertThat(db.run("cat /data/greeting")).succeeded().hasStdout("kept on the data disk");
        assertThat(db.run("df -k /data")).succeeded().stdoutContains(DATA_DISK);
        diskWritten = true;
    }

    @Test
    @Order(3)
    void theRevertEmptiedTheDataDiskAgain(@Role("backend") Machine db) {
        assertThat(diskWritten)
                .as("theDataDiskCanBeFormattedMountedWrittenAndReadBack ran before this test (run the whole class)")
                .isTrue();
        assertThat(db.run("mount | grep /data")).failed();
        // no file system on it any more: mounting fails
        assertThat(db.run("mkdir -p /data && mount " + DATA_DISK + " /data")).failed();
    }
}
