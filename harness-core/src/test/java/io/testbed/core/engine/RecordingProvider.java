package io.testbed.core.engine;

import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestNetwork;
import io.testbed.core.TestbedException;
import io.testbed.core.internal.MachineControl;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import io.testbed.core.spi.Capability;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import io.testbed.core.spi.Owner;
import io.testbed.core.spi.Provider;
import io.testbed.core.spi.ProviderContext;
import io.testbed.core.spi.ProviderSession;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** A provider double for engine unit tests: records every call in order; machines named in failReady fail. */
final class RecordingProvider implements Provider {

    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Set<String> failReady;
    final Set<String> slowReady;
    private final java.util.concurrent.CountDownLatch slowWaiting = new java.util.concurrent.CountDownLatch(1);

    RecordingProvider(Set<String> failReady) {
        this(failReady, Set.of());
    }

    /** Machines in {@code slowReady} wait a minute for readiness, unless interrupted. */
    RecordingProvider(Set<String> failReady, Set<String> slowReady) {
        this.failReady = failReady;
        this.slowReady = slowReady;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.NETWORKS, Capability.MEMORY_SNAPSHOTS);
    }

    @Override
    public List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context) {
        return machine.image().equals("missing")
                ? List.of(new SpecProblem(machine.element(), "image", "template 'missing' does not exist"))
                : List.of();
    }

    @Override
    public ProviderSession open(ProviderContext context) {
        calls.add("open");
        return new ProviderSession() {
            @Override
            public NetworkResource createNetwork(NetworkPlan plan) {
                calls.add("network.create " + plan.name() + " " + plan.cidr());
                return new NetworkResource() {
                    @Override
                    public String providerId() {
                        return plan.objectName();
                    }

                    @Override
                    public TestNetwork network() {
                        return plan.testNetwork();
                    }

                    @Override
                    public void destroy() {
                        calls.add("network.destroy " + plan.name());
                    }
                };
            }

            @Override
            public MachineResource createMachine(MachinePlan plan) {
                calls.add("machine.create " + plan.name());
                return new RecordingMachine(plan);
            }

            @Override
            public void close() {
                calls.add("close");
            }
        };
    }

    @Override
    public List<String> reapOrphans(Predicate<Owner> isOrphan, Map<String, String> configuration) {
        return List.of();
    }

    final class RecordingMachine implements MachineResource, Machine, MachineControl {
        private final MachinePlan plan;

        RecordingMachine(MachinePlan plan) {
            this.plan = plan;
        }

        @Override
        public String providerId() {
            return plan.objectName();
        }

        @Override
        public void start() {
            calls.add("machine.start " + plan.name());
        }

        @Override
        public Machine awaitReady(Duration timeout) {
            if (slowReady.contains(plan.name())) {
                slowWaiting.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    calls.add("machine.ready interrupted " + plan.name());
                    throw new TestbedException("interrupted while waiting for " + plan.name(), e);
                }
            }
            if (failReady.contains(plan.name()) && !slowReady.isEmpty()) {
                try { // fail only once the slow ones wait, so that the test sees their wait interrupted
                    slowWaiting.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failReady.contains(plan.name())) {
                throw new TestbedException(
                        "SSH never answered on " + plan.nics().get(0).address().getHostAddress());
            }
            return this;
        }

        @Override
        public void snapshot(String name) {
            calls.add("snapshot " + plan.name() + " " + name);
        }

        @Override
        public void revert(String name) {
            calls.add("revert " + plan.name() + " " + name);
        }

        @Override
        public void stop() {
            calls.add("machine.stop " + plan.name());
        }

        @Override
        public void destroy() {
            calls.add("machine.destroy " + plan.name());
        }

        @Override
        public String consoleTail(int lines) {
            return "[    0.000] Linux version 6.1\nKernel panic - not syncing: " + plan.name();
        }

        @Override
        public String name() {
            return plan.name();
        }

        @Override
        public Set<String> roles() {
            return plan.spec().roles();
        }

        @Override
        public Map<String, String> properties() {
            return plan.spec().properties();
        }

        @Override
        public InetAddress address(String network) {
            return plan.nics().stream()
                    .filter(n -> n.network().equals(network))
                    .findFirst()
                    .orElseThrow()
                    .address();
        }

        @Override
        public ExecResult run(String command, RunOptions options) {
            throw new UnsupportedOperationException("engine tests run no commands");
        }

        @Override
        public Job start(String command, RunOptions options) {
            throw new UnsupportedOperationException("engine tests run no commands");
        }

        @Override
        public void upload(Path local, String remotePath) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void download(String remotePath, Path local) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setSysctl(String key, String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void writeSysfs(String path, String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void restoreSettings() {
            calls.add("settings.restore " + plan.name());
        }

        @Override
        public void killJobs() {
            calls.add("jobs.kill " + plan.name());
        }

        @Override
        public void waitForPort(int port, Duration timeout) {
            throw new UnsupportedOperationException();
        }
    }
}
