package io.testbed.core.lease;

import io.testbed.core.TestbedException;
import org.apiguardian.api.API;

/**
 * A lease could not be taken or the lease store could not be used: the pool is exhausted, an explicit subnet is
 * held by another prefix or used by the host, or the store's files are unusable. The message names the holders
 * involved and what to do next. Nothing was leased when it is thrown.
 */
@API(status = API.Status.INTERNAL)
public class LeaseException extends TestbedException {
    private static final long serialVersionUID = 1L;

    public LeaseException(String message) {
        super(message);
    }

    public LeaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
