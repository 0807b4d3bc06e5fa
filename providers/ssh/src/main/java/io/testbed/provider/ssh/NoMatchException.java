package io.testbed.provider.ssh;

import io.testbed.core.TestbedException;
import org.apiguardian.api.API;

/**
 * No set of distinct inventory hosts meets the requested machines. The message explains why: for every requested
 * machine its candidates and, for each rejected host, the first requirement it failed; when every machine alone
 * has candidates, which network links or the need for distinct hosts make a joint assignment impossible. Thrown
 * before anything is leased or connected.
 */
@API(status = API.Status.INTERNAL)
public class NoMatchException extends TestbedException {
    private static final long serialVersionUID = 1L;

    public NoMatchException(String message) {
        super(message);
    }
}
