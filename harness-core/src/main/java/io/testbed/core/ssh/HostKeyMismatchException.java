package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import org.apiguardian.api.API;

/**
 * An SSH server presented a host key other than the pinned one. Never retried: either the address reaches
 * another machine, or the machine's host key changed (re-created without its seed, inventory out of date).
 */
@API(status = API.Status.INTERNAL)
public class HostKeyMismatchException extends TestbedException {
    private static final long serialVersionUID = 1L;
    private final String expected;
    private final String presented;

    public HostKeyMismatchException(String target, String expected, String presented) {
        super("Host key of " + target + " does not match the pinned key: expected " + expected + ", presented "
                + presented + ". The address may reach another machine, or the machine's host key changed;"
                + " check the address and update the pinned key (inventory hostKey, or the template's seed)"
                + " only if the change is legitimate.");
        this.expected = expected;
        this.presented = presented;
    }

    /** The pinned key's type and SHA-256 fingerprint. */
    public String expected() {
        return expected;
    }

    /** The presented key's type and SHA-256 fingerprint. */
    public String presented() {
        return presented;
    }
}
