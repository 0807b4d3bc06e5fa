package io.testbed.reports.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a report shows: the test classes of a run (failed ones first) and the environments they used.
 *
 * @param start when the run began (its first event)
 * @param end   when it ended (its last event)
 */
public record RunModel(Instant start, Instant end, List<ClassModel> classes, List<EnvironmentModel> environments) {

    public RunModel {
        classes = List.copyOf(classes);
        environments = List.copyOf(environments);
    }

    /** Whether anything failed: a test, a class, an environment, or an incomplete journal. */
    public boolean failed() {
        return classes.stream().anyMatch(ClassModel::failed)
                || environments.stream().anyMatch(EnvironmentModel::failed);
    }

    /** Every test, in report order. */
    public List<TestModel> tests() {
        return classes.stream().flatMap(c -> c.tests().stream()).toList();
    }

    /** Tests and classes that failed, in report order. */
    public List<TestModel> failures() {
        return classes.stream()
                .flatMap(c -> java.util.stream.Stream.concat(java.util.stream.Stream.of(c.self()), c.tests().stream()))
                .filter(t -> t.status().isFailure())
                .toList();
    }

    /** How long the run took, from its first to its last event. */
    public Duration duration() {
        return start == null || end == null ? Duration.ZERO : Duration.between(start, end);
    }

    /** The environment with this id, or null. */
    public EnvironmentModel environment(String id) {
        return environments.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }
}
