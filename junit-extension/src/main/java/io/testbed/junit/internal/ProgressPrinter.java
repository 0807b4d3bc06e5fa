package io.testbed.junit.internal;

import io.testbed.core.journal.JournalEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
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
 * (they are in the journal). Facts about the host (template cache, KVM probe, accelerator) are printed once per
 * JVM. Registered as the journal listener of {@link io.testbed.core.engine.Engine#provision}; the journal keeps
 * every event whether or not progress is printed. Thread-safe: machines are provisioned in parallel.
 */
final class ProgressPrinter implements Consumer<JournalEvent> {

    private final String environment;
    private final PrintStream out;
    private final boolean enabled;
    /**
     * Facts about the host (template cache, KVM probe, accelerator) already printed by this JVM: every environment's
     * provider session reports them, but they are the same for all.
     */
    private static final java.util.Set<String> HOST_FACTS_PRINTED = ConcurrentHashMap.newKeySet();

    /** When each machine began booting and when teardown began, so the last line of a phase has its total. */
    private final Map<String, Instant> phaseStarts = new ConcurrentHashMap<>();

    ProgressPrinter(String environment, PrintStream out, boolean enabled) {
        this.environment = environment;
        this.out = out;
        this.enabled = enabled;
    }

    @Override
    public void accept(JournalEvent event) {
        if (!enabled) {
            return;
        }
        String line = describe(withPhaseDuration(event));
        if (line == null || isHostFact(event) && !HOST_FACTS_PRINTED.add(line)) {
            return;
        }
        print(line);
    }

    private static boolean isHostFact(JournalEvent event) {
        return switch (event.type()) {
            case "template", "kvm.probe", "accelerator" -> true;
            default -> false;
        };
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

    /**
     * The event, with the duration of the whole phase where its line reports one: a machine answers commands so
     * long after it began booting (start and readiness wait together), the teardown took so long.
     */
    private JournalEvent withPhaseDuration(JournalEvent event) {
        String phase = switch (event.type()) {
            case "machine.start", "machine.ready" -> "boot of " + event.subject();
            case "environment.teardown" -> "teardown";
            default -> null;
        };
        if (phase == null) {
            return event;
        }
        boolean begins = event.status().equals("started")
                && (event.type().equals("machine.start") || event.type().equals("environment.teardown"));
        boolean ends = !event.status().equals("started")
                && (event.type().equals("machine.ready") || event.type().equals("environment.teardown"));
        if (begins) {
            phaseStarts.put(phase, event.time());
        } else if (ends) {
            Instant start = phaseStarts.remove(phase);
            if (start != null) {
                return new JournalEvent(event.time(), event.type(), event.subject(), event.status(),
                        Duration.between(start, event.time()).toMillis(), event.detail());
            }
        }
        return event;
    }

    static String describe(JournalEvent event) {
        String subject = event.subject();
        String took = event.durationMs() == null ? "" : duration(event.durationMs());
        switch (event.status()) {
            case "started":
                return switch (event.type()) {
                    case "environment.provision" -> "provisioning in " + event.detail().get("prefix");
                    case "machine.start" -> subject + " booting";
                    case "environment.rollback" -> "provisioning failed; rolling back";
                    case "environment.teardown" -> "tearing down";
                    default -> null;
                };
            case "ok":
                return switch (event.type()) {
                    case "environment.provision" -> "ready after " + duration(
                            ((Number) event.detail().getOrDefault("durationMs", 0)).longValue());
                    case "lease.acquire" -> "subnets leased in " + took;
                    case "network.create", "machine.create" -> subject + " created in " + took;
                    case "machine.ready" -> subject + " answers commands after " + took;
                    case "snapshot.create" -> subject + " snapshot taken in " + took;
                    case "machine.destroy", "network.destroy" -> subject + " destroyed in " + took;
                    case "environment.teardown" -> took.isEmpty() ? "torn down" : "torn down in " + took;
                    case "environment.rollback" -> "rolled back; the prefix keeps the logs";
                    default -> null;
                };
            case "failed":
                return subject + " " + event.type() + " failed" + (took.isEmpty() ? "" : " after " + took) + ": "
                        + event.detail().getOrDefault("error", event.detail());
            case "reaped":
                return "reaped " + event.detail().get("object");
            case "progress":
                // long one-off work, every line the provider reports: the template store (cached, or building,
                // which can take minutes on first use) and the KVM probe
                return event.type().equals("template") || event.type().equals("kvm.probe")
                        ? String.valueOf(event.detail().get("line")) : null;
            default:
                return event.type().equals("accelerator") ? accelerator(event) : null;
        }
    }

    /** The libvirt provider's choice for a template, {@code kvm} or {@code qemu} (TCG), and why. */
    private static String accelerator(JournalEvent event) {
        String how = switch (event.status()) {
            case "kvm" -> "KVM";
            case "qemu" -> "TCG (software emulation, slower)";
            default -> event.status();
        };
        Object reason = event.detail().get("reason");
        return "machines of " + event.subject() + " run under " + how + (reason == null ? "" : ": " + reason);
    }

    static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
