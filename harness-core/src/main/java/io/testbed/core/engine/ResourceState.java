package io.testbed.core.engine;

import java.util.EnumSet;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The lifecycle of every provisioned resource (network, machine):
 * DEFINED → CREATED → RUNNING ⇄ PAUSED → STOPPED → DESTROYED, and ERROR from any live state.
 * A stopped machine may be started again; a resource in ERROR can only be destroyed.
 */
@API(status = API.Status.INTERNAL)
public enum ResourceState {
    DEFINED,
    CREATED,
    RUNNING,
    PAUSED,
    STOPPED,
    DESTROYED,
    ERROR;

    /** The states this one may move to. */
    public Set<ResourceState> successors() {
        return switch (this) {
            case DEFINED -> EnumSet.of(CREATED, DESTROYED, ERROR);
            case CREATED -> EnumSet.of(RUNNING, DESTROYED, ERROR);
            case RUNNING -> EnumSet.of(PAUSED, STOPPED, ERROR);
            case PAUSED -> EnumSet.of(RUNNING, STOPPED, ERROR);
            case STOPPED -> EnumSet.of(RUNNING, DESTROYED, ERROR);
            case ERROR -> EnumSet.of(DESTROYED);
            case DESTROYED -> EnumSet.noneOf(ResourceState.class);
        };
    }

    public boolean canMoveTo(ResourceState target) {
        return successors().contains(target);
    }
}
