package io.testbed.core.spi;

import org.apiguardian.api.API;

/** What a provider can do; the engine consults these instead of probing types. */
@API(status = API.Status.EXPERIMENTAL)
public enum Capability {
    /** Creates networks for its machines on planned subnets. */
    NETWORKS,
    /** Attaches extra empty data disks; the engine rejects a machine with disks whose provider lacks it. */
    DATA_DISKS,
    /** Snapshots keep memory and processes: a revert returns running machines without a reboot. */
    MEMORY_SNAPSHOTS,
    /** Snapshots keep the file system only (processes restart after a revert). */
    DISK_SNAPSHOTS,
    /** Machines can be paused and resumed; {@code Environment.pause} refuses machines whose provider lacks it. */
    PAUSE,
    /**
     * Machines can join another provider's L2 network; the engine rejects a machine on a network another provider
     * creates when its provider lacks it.
     */
    SHARED_L2,
    /**
     * Machines run their own kernel (virtual machines, existing hosts): delays and jitter from them are applied inside
     * them with netem. Without
     * it a machine's traffic control is the host kernel's (containers), and a delay needs {@code sch_netem} there.
     */
    OWN_KERNEL
}
