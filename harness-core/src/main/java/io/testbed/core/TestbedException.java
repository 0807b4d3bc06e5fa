package io.testbed.core;

import org.apiguardian.api.API;

/** Base of every exception Testbed throws at run time. */
@API(status = API.Status.EXPERIMENTAL)
public class TestbedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TestbedException(String message) {
        super(message);
    }

    public TestbedException(String message, Throwable cause) {
        super(message, cause);
    }
}
