package io.testbed.core.spi;

import io.testbed.core.Machine;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * A machine a provider created. The engine drives it through the resource lifecycle
 * (created → running ⇄ paused → stopped → destroyed) and never calls a method out of order.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface MachineResource {

    /** The provider's id of the object (domain name, container id, inventory host). */
    String providerId();

    /** Starts the machine (boots the VM, starts the container). */
    void start();

    /**
     * Waits until the machine answers a command over its transport and returns it.
     *
     * @throws io.testbed.core.TestbedException with the console tail when it does not within {@code timeout}
     */
    Machine awaitReady(Duration timeout);

    /** Takes a named snapshot; see {@link Capability#MEMORY_SNAPSHOTS} and {@link Capability#DISK_SNAPSHOTS}. */
    default void snapshot(String name) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot take snapshots");
    }

    /** Reverts to a named snapshot; the machine answers commands when this returns. */
    default void revert(String name) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot revert snapshots");
    }

    /** Deletes a named snapshot. */
    default void deleteSnapshot(String name) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot delete snapshots");
    }

    /** Pauses the machine ({@link Capability#PAUSE}). */
    default void pause() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot pause");
    }

    /** Resumes a paused machine. */
    default void resume() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot resume");
    }

    /** Stops the machine (power off). */
    void stop();

    /** Removes the machine and everything created for it (disks, definitions). Idempotent. */
    void destroy();

    /** The last {@code lines} lines of the machine's console or log, for error messages. Never throws. */
    String consoleTail(int lines);
}
