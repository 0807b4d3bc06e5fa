package io.testbed.core.engine;

import io.testbed.core.TestbedException;
import org.apiguardian.api.API;

/** A resource was asked to move to a state its lifecycle does not allow from where it is. */
@API(status = API.Status.INTERNAL)
public class IllegalTransitionException extends TestbedException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(String resource, ResourceState from, ResourceState to) {
        super(resource + " cannot go from " + from + " to " + to + "; allowed from " + from + ": "
                + (from.successors().isEmpty() ? "nothing (final state)" : from.successors()));
    }
}
