package io.testbed.reports.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One environment, read from its prefix: topology, timeline and how its journal ended.
 *
 * @param id          the prefix directory's name ({@code <name>-<uuid8>}), unique in a run
 * @param ready       how long provisioning took, or null when it did not finish
 * @param notes       what happened besides steps and commands (starts, warm images, links, host leases), in order
 * @param failure     why provisioning failed (and every failed step), or null
 * @param outcome     how the journal ended: {@code torn down}, {@code rolled back}, {@code kept}, or null
 * @param complete    whether the journal ended (false: a killed JVM, or still in use)
 * @param truncated   whether its last line was cut short
 * @param unreadable  lines that could not be read
 * @param unknown     events of types this version does not know
 * @param tests       its tests and classes' own entries, as journaled
 */
public record EnvironmentModel(
        String id,
        String name,
        Path prefix,
        Instant start,
        Instant end,
        List<MachineModel> machines,
        List<NetworkModel> networks,
        List<Span> spans,
        Duration ready,
        List<Note> notes,
        List<String> failures,
        String outcome,
        boolean complete,
        boolean truncated,
        int unreadable,
        int unknown,
        List<TestModel> tests) {

    public EnvironmentModel {
        machines = List.copyOf(machines);
        networks = List.copyOf(networks);
        spans = List.copyOf(spans);
        notes = List.copyOf(notes);
        failures = List.copyOf(failures);
        tests = List.copyOf(tests);
    }

    /** Whether provisioning or teardown failed, or the journal is incomplete. */
    public boolean failed() {
        return !failures.isEmpty() || !complete;
    }

    /** Every revert of every machine. */
    public List<Duration> reverts() {
        return machines.stream().flatMap(m -> m.reverts().stream()).toList();
    }

    /** How many commands ran on its machines. */
    public int commands() {
        return machines.stream().mapToInt(MachineModel::commands).sum();
    }

    /**
     * The notes that belong on {@code test}'s page: those journaled while it ran; for a test class's own entry, those
     * journaled outside every test of this environment (provisioning, {@code @BeforeAll}, teardown).
     */
    public List<Note> notesOf(TestModel test) {
        if (!test.container()) {
            return notes.stream().filter(n -> during(test, n.time())).toList();
        }
        List<TestModel> inTests = tests.stream().filter(t -> !t.container()).toList();
        return notes.stream()
                .filter(n -> inTests.stream().noneMatch(t -> during(t, n.time())))
                .toList();
    }

    /** Whether {@code time} falls while {@code test} ran (until the journal's end when it never finished). */
    private boolean during(TestModel test, Instant time) {
        if (test.start() == null || time.isBefore(test.start())) {
            return false;
        }
        Instant until = test.status() == Status.UNFINISHED ? end : test.start().plus(test.duration());
        return until == null || !time.isAfter(until);
    }
}
