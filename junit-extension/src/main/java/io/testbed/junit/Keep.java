package io.testbed.junit;

import org.apiguardian.api.API;

/**
 * Whether the Testbed extension leaves an environment running after its test class instead of tearing it down.
 * Set with {@link Prefix#keep()}.
 *
 * <p>A kept environment stays alive after the JVM exits: the extension writes the
 * {@value io.testbed.core.prefix.Prefix#KEPT_MARKER} marker into its prefix directory, so the reaper leaves it alone,
 * and prints an {@code ssh} command line for every machine. Delete the marker to let the next run's reaper
 * destroy it.
 */
@API(status = API.Status.EXPERIMENTAL)
public enum Keep {

    /** Use the configuration parameter {@value Prefix#KEEP_PROPERTY_NAME} ({@code never} unless set). */
    DEFAULT,

    /** Always tear down. */
    NEVER,

    /** Keep the environment when a test of the class (or of its nested classes) failed. */
    ON_FAILURE,

    /** Always keep the environment. */
    ALWAYS
}
