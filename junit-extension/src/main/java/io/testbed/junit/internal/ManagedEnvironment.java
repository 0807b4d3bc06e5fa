package io.testbed.junit.internal;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment handed to tests: the engine's environment whose machines are {@link ManagedMachine}s (the same
 * object for a machine however it is looked up), and which tests cannot close — the extension owns its lifecycle.
 */
final class ManagedEnvironment implements Environment {

    private final Environment delegate;
    private final Map<String, ManagedMachine> machines = new LinkedHashMap<>();

    ManagedEnvironment(Environment delegate) {
        this.delegate = delegate;
        for (Machine machine : delegate.machines()) {
            machines.put(machine.name(), new ManagedMachine(machine));
        }
    }

    /** The engine's environment, which the extension closes. */
    Environment delegate() {
        return delegate;
    }

    List<ManagedMachine> managedMachines() {
        return List.copyOf(machines.values());
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
    public List<Machine> machines() {
        return List.copyOf(machines.values());
    }

    @Override
    public List<Machine> machines(String roleExpression) {
        return delegate.machines(roleExpression).stream().map(this::managed).toList();
    }

    @Override
    public Machine machine(String name) {
        return managed(delegate.machine(name));
    }

    private Machine managed(Machine machine) {
        ManagedMachine managed = machines.get(machine.name());
        return managed != null ? managed : machine;
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
