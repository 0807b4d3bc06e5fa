package io.testbed.core.engine;

import java.util.function.Consumer;
import org.apiguardian.api.API;

/** The state of one resource, moved only along {@link ResourceState#successors()}. Thread-safe. */
@API(status = API.Status.INTERNAL)
public final class Lifecycle {

    private final String resource;
    private final Consumer<Lifecycle> onChange;
    private ResourceState state = ResourceState.DEFINED;

    /**
     * @param resource a description for messages, e.g. {@code machine 'web'}
     * @param onChange called after every transition (persisting the state)
     */
    public Lifecycle(String resource, Consumer<Lifecycle> onChange) {
        this.resource = resource;
        this.onChange = onChange;
    }

    public String resource() {
        return resource;
    }

    public synchronized ResourceState state() {
        return state;
    }

    /**
     * Moves to {@code target}.
     *
     * @throws IllegalTransitionException naming both states when the lifecycle forbids it
     */
    public void moveTo(ResourceState target) {
        synchronized (this) {
            if (!state.canMoveTo(target)) {
                throw new IllegalTransitionException(resource, state, target);
            }
            state = target;
        }
        onChange.accept(this);
    }

    /** Whether the resource exists at the provider and must be destroyed on teardown. */
    public synchronized boolean needsDestroy() {
        return state != ResourceState.DEFINED && state != ResourceState.DESTROYED;
    }
}
