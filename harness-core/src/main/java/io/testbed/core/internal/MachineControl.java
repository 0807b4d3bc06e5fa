package io.testbed.core.internal;

import io.testbed.core.TestbedException;
import org.apiguardian.api.API;

/**
 * What the harness (not the test) does to a {@link io.testbed.core.Machine} between tests: end what the test left
 * running and undo what it changed. Implemented by the machines providers hand out
 * ({@code io.testbed.core.machine.TransportMachine}); called by the engine's
 * {@link io.testbed.core.engine.EnvironmentHandle#resetMachines()} after every test.
 */
@API(status = API.Status.INTERNAL)
public interface MachineControl {

    /**
     * Kills every background job of the machine that is still running (each one's whole process tree) and waits
     * until they are gone. Idempotent.
     *
     * @throws TestbedException listing the jobs that could not be killed
     */
    void killJobs();

    /**
     * Undoes every setting change recorded by {@link io.testbed.core.Machine#setSysctl} and
     * {@link io.testbed.core.Machine#writeSysfs}, newest first. Idempotent.
     *
     * @throws TestbedException listing the settings that could not be restored
     */
    void restoreSettings();
}
