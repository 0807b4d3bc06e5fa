package io.testbed.core;

import java.nio.file.Path;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A provisioned test environment: its machines and networks, and named snapshots of all machines.
 *
 * <p>Lifecycle: created by the engine once every machine is ready and the baseline snapshot
 * ({@link #BASELINE}) is taken; usable until its owner (the JUnit extension) tears it down after the last test
 * that uses it. Tests never close an environment: its lifetime belongs to the harness.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface Environment {

    /** The name of the snapshot taken right after provisioning. */
    String BASELINE = "baseline";

    /** The environment's name (the {@code @Prefix} name). */
    String name();

    /** The prefix directory holding the environment's logs, journal and disks. */
    Path prefixDir();

    /** All machines, in declaration order. */
    List<Machine> machines();

    /**
     * Machines by role, with EnOSlib-style set algebra: {@code "a"}, {@code "a|b"} (union),
     * {@code "a&b"} (intersection), {@code "!a"} (complement; {@code "a&!b"} is a difference), {@code "*"}
     * (all), evaluated left to right, in declaration order.
     *
     * @throws IllegalArgumentException when the expression is malformed
     */
    List<Machine> machines(String roleExpression);

    /** The machine named {@code name}; throws naming the known machines when there is none. */
    Machine machine(String name);

    /** The network named {@code name}; throws naming the known networks when there is none. */
    TestNetwork network(String name);

    /** All networks, in declaration order. */
    List<TestNetwork> networks();

    /**
     * Takes a named snapshot of every machine whose provider can (memory and disk for VMs, the file system for
     * containers); machines that cannot (existing SSH hosts) are left as they are.
     */
    void snapshot(String name);

    /**
     * Reverts every machine that can snapshot to the named snapshot; machines answer commands when this returns.
     *
     * @throws IllegalArgumentException naming the known snapshots when there is none called {@code name}
     */
    void revert(String name);

    /**
     * Deletes a named snapshot of every machine (its state no longer takes disk space).
     *
     * @throws IllegalArgumentException when {@code name} is {@link #BASELINE} (the harness reverts to it) or unknown
     */
    void deleteSnapshot(String name);

    /**
     * Pauses a machine (its CPUs stop; memory and connections stay) until {@link #resume(String)}. Useful to
     * simulate a hung node.
     *
     * @throws UnsupportedOperationException when its provider cannot pause
     */
    void pause(String machine);

    /** Resumes a paused machine. */
    void resume(String machine);

    /**
     * The links between the machines: constraints, partitions, cuts and their validation, changed at run time and
     * restored to the declared baseline after each test.
     */
    Links links();
}
