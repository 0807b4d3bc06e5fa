package io.testbed.junit;

import org.apiguardian.api.API;

/**
 * When the Testbed extension reverts an environment to its {@link io.testbed.core.Environment#BASELINE baseline}
 * snapshot, the state taken right after provisioning. Set with {@link Prefix#revert()}.
 *
 * <p>Whatever the policy, after every test the extension kills the background jobs the test started and undoes
 * the settings it changed (through {@link io.testbed.core.Machine#setSysctl} and {@link io.testbed.core.Machine#writeSysfs}).
 */
@API(status = API.Status.EXPERIMENTAL)
public enum Revert {

    /** After every test method, so each test starts from the baseline (the default). */
    AFTER_EACH_TEST,

    /**
     * After every {@link org.junit.jupiter.api.Nested @Nested} class, so sibling nested classes start from the
     * baseline while the tests inside one class build on each other's state. The declaring class itself needs no
     * revert: its environment is torn down after it.
     */
    AFTER_EACH_CLASS,

    /** Never; tests see each other's changes. The fastest, for read-only tests. */
    NEVER
}
