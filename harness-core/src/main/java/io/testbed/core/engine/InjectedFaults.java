package io.testbed.core.engine;

import io.testbed.core.TestbedException;
import java.util.Arrays;

/**
 * Failures the reliability tests inject into provisioning and reverts against the real providers, to prove that
 * each failure path rolls back and reports. Off unless the system property {@value #PROPERTY} names a step, as
 * {@code element:step} pairs separated by commas, e.g. {@code -Dtestbed.it.fault=db:machine.start,lan:network.create}
 * (steps: {@code network.create}, {@code machine.create}, {@code machine.start}, {@code snapshot.create},
 * {@code snapshot.revert}). The failure is thrown where the provider's own call would be, before it, so a failing
 * step leaves exactly what a provider that failed at that step and cleaned up after itself leaves. The
 * {@code testbed.it.} prefix keeps it out of {@link io.testbed.core.config.TestbedConfig}: no user setting.
 */
final class InjectedFaults {

    /** The system property naming the faults. */
    static final String PROPERTY = "testbed.it.fault";

    private InjectedFaults() {}

    /** Throws when {@value #PROPERTY} names {@code step} of {@code element} (a machine or network name). */
    static void check(String element, String step) {
        String faults = System.getProperty(PROPERTY);
        if (faults != null
                && Arrays.stream(faults.split(",")).map(String::strip).anyMatch((element + ":" + step)::equals)) {
            throw new TestbedException("injected failure (" + PROPERTY + "): " + step + " of '" + element + "'");
        }
    }
}
