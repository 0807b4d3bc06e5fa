package io.testbed.junit.internal;

import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.ResourceEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns journal events into progress lines while an environment is provisioned, used and torn down — one line
 * per step of each machine, with its duration:
 * <pre>
 * [testbed] cluster: provisioning for ClusterIT: 2 machine(s) [web, db], 1 network(s) [lan]
 * [testbed] cluster: provisioning in target/testbed/cluster-3f2a9c1e
 * [testbed] cluster: subnets leased in 44 ms
 * [testbed] cluster: template tiny: cached /var/cache/testbed/templates/tiny/0a1e… (built …)
 * [testbed] cluster: network 'lan' created in 212 ms
 * [testbed] cluster: machine 'web' starts warm: restored from the warm image of template tiny
 * [testbed] cluster: machine 'web' created in 768 ms
 * [testbed] cluster: machine 'web' booting
 * [testbed] cluster: machine 'web' answers commands after 7.4 s
 * [testbed] cluster: machine 'web' snapshot taken in 186 ms
 * [testbed] cluster: ready after 9.3 s
 * [testbed] cluster: webReachesDb(): 3 commands; reverted to baseline in 0.7 s
 * [testbed] cluster: tearing down
 * [testbed] cluster: machine 'web' destroyed in 1.5 s
 * [testbed] cluster: torn down in 2.1 s
 * </pre>
 * The per-test line comes from {@link EnvironmentResource}; the machines' individual revert steps are not printed
 * (they are in the journal), nor are the KVM probe's own lines: the accelerator line carries its verdict as the one
 * reason. Facts about the host (template cache, accelerator) are printed once per JVM. Registered as the journal
 * listener of {@link io.testbed.core.engine.Engine#provision}; the journal keeps every event whether or not progress
 * is printed. Thread-safe: machines are provisioned in parallel.
 */
final class ProgressPrinter implements Consumer<Event> {

    private final String environment;
    private final PrintStream out;
    private final boolean enabled;
    /**
     * Facts about the host (template cache, accelerator) already printed by this JVM: every environment's provider
     * session reports them, but they are the same for all.
     */
    private static final Set<String> HOST_FACTS_PRINTED = ConcurrentHashMap.newKeySet();

    ProgressPrinter(String environment, PrintStream out, boolean enabled) {
        this.environment = environment;
        this.out = out;
        this.enabled = enabled;
    }

    @Override
    public void accept(Event event) {
        if (!enabled) {
            return;
        }
        String line = describe(event);
        if (line == null || event instanceof HostEvent && !HOST_FACTS_PRINTED.add(line)) {
            return;
        }
        print(line);
    }

    /** Whether progress lines are printed ({@code testbed.progress}). */
    boolean enabled() {
        return enabled;
    }

    void print(String line) {
        if (enabled) {
            out.println("[testbed] " + environment + ": " + line);
        }
    }

    /** The progress line of an event, or null when it has none. */
    static String describe(Event event) {
        if (event instanceof EnvironmentEvent e) {
            return describeEnvironment(e);
        } else if (event instanceof ResourceEvent e) {
            return describeResource(e);
        } else if (event instanceof HostEvent.TemplateProgress e) {
            // long one-off work: the template store says whether it is cached or building (minutes on first use)
            return e.line();
        } else if (event instanceof HostEvent.AcceleratorChosen e) {
            return accelerator(e);
        } else if (event instanceof HostEvent.WarmImageResolved e) {
            return "warm image of template " + e.template() + ": "
                    + (e.built() ? "built in " + duration(e.duration()) + ", " : "reused, ") + e.path();
        } else if (event instanceof HostEvent.WarmImageDiscarded e) {
            return "warm image of template " + e.template() + " discarded (" + e.reason() + "): " + e.path();
        }
        return null; // tests and commands are summed up per test by EnvironmentResource
    }

    private static String describeEnvironment(EnvironmentEvent event) {
        if (event instanceof EnvironmentEvent.ProvisioningStarted e) {
            return "provisioning in " + e.prefix();
        } else if (event instanceof EnvironmentEvent.LeaseTaken e) {
            return "subnets leased in " + duration(e.duration());
        } else if (event instanceof EnvironmentEvent.HostsLeased e) {
            return "existing hosts leased in " + duration(e.duration()) + ": "
                    + e.hosts().entrySet().stream()
                            .map(h -> h.getKey() + "=" + h.getValue())
                            .collect(java.util.stream.Collectors.joining(", "));
        } else if (event instanceof EnvironmentEvent.Ready e) {
            return "ready after " + duration(e.duration());
        } else if (event instanceof EnvironmentEvent.StepFailed e) {
            return e.resource() + " " + e.action() + " failed after " + duration(e.duration()) + ": " + e.error();
        } else if (event instanceof EnvironmentEvent.ProvisioningFailed e) {
            return "provisioning failed after " + duration(e.duration()) + "; rolling back";
        } else if (event instanceof EnvironmentEvent.TeardownStarted) {
            return "tearing down";
        } else if (event instanceof EnvironmentEvent.Closed e) {
            String problems = e.problems() == 0 ? "" : " with " + e.problems() + " problem(s)";
            return e.outcome() == EnvironmentEvent.Outcome.ROLLED_BACK
                    ? "rolled back" + problems + "; the prefix keeps the logs"
                    : "torn down in " + duration(e.duration()) + problems;
        } else if (event instanceof EnvironmentEvent.Reaped e) {
            return "reaped " + e.object();
        }
        return null;
    }

    private static String describeResource(ResourceEvent event) {
        if (event instanceof ResourceEvent.NetworkCreated e) {
            return "network '" + e.network() + "' created in " + duration(e.duration());
        } else if (event instanceof ResourceEvent.MachineCreated e) {
            return "machine '" + e.machine() + "' created in " + duration(e.duration());
        } else if (event instanceof ResourceEvent.StartChosen e) {
            return "machine '" + e.machine() + "' "
                    + (e.method() == ResourceEvent.StartMethod.WARM ? "starts warm: " : "boots cold: ") + e.reason();
        } else if (event instanceof ResourceEvent.MachineBooting e) {
            return "machine '" + e.machine() + "' booting";
        } else if (event instanceof ResourceEvent.MachineReady e) {
            return "machine '" + e.machine() + "' answers commands after " + duration(e.bootDuration());
        } else if (event instanceof ResourceEvent.SnapshotTaken e) {
            return "machine '" + e.machine() + "' snapshot taken in " + duration(e.duration());
        } else if (event instanceof ResourceEvent.MachineDestroyed e) {
            return "machine '" + e.machine() + "' destroyed in " + duration(e.duration());
        } else if (event instanceof ResourceEvent.NetworkDestroyed e) {
            return "network '" + e.network() + "' destroyed in " + duration(e.duration());
        }
        return null;
    }

    /** The provider's choice for a template, KVM or TCG, and why. */
    private static String accelerator(HostEvent.AcceleratorChosen event) {
        String how = event.accelerator() == HostEvent.Accelerator.KVM ? "KVM" : "TCG (software emulation, slower)";
        return "machines of template " + event.template() + " run under " + how
                + (event.reason() == null ? "" : ": " + event.reason());
    }

    static String duration(Duration duration) {
        return duration(duration.toMillis());
    }

    static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
