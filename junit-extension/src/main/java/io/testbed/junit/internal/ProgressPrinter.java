package io.testbed.junit.internal;

import io.testbed.core.journal.JournalEvent;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Turns journal events into progress lines while an environment is provisioned and torn down — what is booting
 * and how long each step took:
 * <pre>
 * [testbed] cluster: machine 'web' booting
 * [testbed] cluster: machine 'web' answers commands after 7.9 s
 * </pre>
 * Registered as the journal listener of {@link io.testbed.core.engine.Engine#provision}; the journal itself
 * keeps every event whether or not progress is printed.
 */
final class ProgressPrinter implements Consumer<JournalEvent> {

    private final String environment;
    private final PrintStream out;
    private final boolean enabled;

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
        String line = describe(event);
        if (line != null) {
            print(line);
        }
    }

    void print(String line) {
        if (enabled) {
            out.println("[testbed] " + environment + ": " + line);
        }
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
                    case "machine.start" -> subject + " started in " + took;
                    case "machine.ready" -> subject + " answers commands after " + took;
                    case "snapshot.create" -> subject + " snapshot taken in " + took;
                    case "machine.destroy", "network.destroy" -> subject + " destroyed in " + took;
                    case "environment.teardown" -> "torn down";
                    default -> null;
                };
            case "failed":
                return subject + " " + event.type() + " failed" + (took.isEmpty() ? "" : " after " + took) + ": "
                        + event.detail().getOrDefault("error", event.detail());
            case "reaped":
                return "reaped " + event.detail().get("object");
            default:
                return null;
        }
    }

    static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
