package io.testbed.junit.internal;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The extension context store's value for an owner class's environment: provisions on first use, once (a failure
 * is remembered, not retried), and releases the environment exactly once on the first {@link #close()} — the
 * explicit one in {@code afterAll}, or JUnit's when it closes the owner's context and {@code afterAll} did not run.
 * Creating it is cheap, so the store's {@code getOrComputeIfAbsent} never caches a provisioning failure that
 * {@code remove} would rethrow.
 */
final class StoredEnvironment implements AutoCloseable {
    private final Supplier<EnvironmentResource> provisioner;
    private EnvironmentResource resource;
    private RuntimeException failure;
    private boolean closed;

    StoredEnvironment(Supplier<EnvironmentResource> provisioner) {
        this.provisioner = provisioner;
    }

    synchronized EnvironmentResource get() {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IllegalStateException("the Testbed environment is already torn down");
        }
        if (resource == null) {
            try {
                resource = provisioner.get();
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return resource;
    }

    synchronized Optional<EnvironmentResource> ifProvisioned() {
        return Optional.ofNullable(resource);
    }

    /** Releases the environment (tears it down or keeps it) the first time; later calls do nothing. */
    @Override
    public void close() {
        EnvironmentResource toRelease;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toRelease = resource;
        }
        if (toRelease != null) {
            toRelease.release();
        }
    }
}
