package io.testbed.junit.internal;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import java.nio.file.Path;
import java.util.List;

/**
 * The environment handed to tests: the engine's environment, except that tests cannot close it — the extension
 * owns its lifecycle.
 */
final class ManagedEnvironment implements Environment {

    private final Environment delegate;

    ManagedEnvironment(Environment delegate) {
        this.delegate = delegate;
    }

    /** The engine's environment, which the extension closes. */
    Environment delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Path prefixDir() {
        return delegate.prefixDir();
    }

    @Override
    public io.testbed.core.journal.Journal journal() {
        return delegate.journal();
    }

    @Override
    public List<Machine> machines() {
        return delegate.machines();
    }

    @Override
    public List<Machine> machines(String roleExpression) {
        return delegate.machines(roleExpression);
    }

    @Override
    public Machine machine(String name) {
        return delegate.machine(name);
    }

    @Override
    public TestNetwork network(String name) {
        return delegate.network(name);
    }
    @Override
    public List<TestNetwork> networks() {
        return delegate.networks();
    }

    @Override
    public void snapshot(String name) {
        delegate.snapshot(name);
    }

    @Override
    public void revert(String name) {
        delegate.revert(name);
    }

    @Override
    public void deleteSnapshot(String name) {
        delegate.deleteSnapshot(name);
    }

    @Override
    public void pause(String machine) {
        delegate.pause(machine);
    }

    @Override
    public void resume(String machine) {
        delegate.resume(machine);
    }

    /**
     * Refuses: the Testbed extension tears the environment down after the test class.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("Environment '" + name() + "' belongs to the Testbed extension, "
                + "which tears it down after the test class; do not close it in a test");
    }

    @Override
    public String toString() {
        return "environment '" + name() + "' (" + prefixDir() + ")";
    }
}
