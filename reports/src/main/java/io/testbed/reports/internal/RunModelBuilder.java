package io.testbed.reports.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Puts a run together from its environments (read by {@link EnvironmentReader}) and, when a launcher listener saw
 * the run, JUnit's own outcomes: tests are matched by unique id, JUnit's result wins, and a test belongs to the test
 * class whose unique id is the longest prefix of its own.
 */
public final class RunModelBuilder {

    private RunModelBuilder() {}

    /** The run of {@code environments} alone, as rebuilt from prefixes. */
    public static RunModel build(List<EnvironmentModel> environments) {
        return build(environments, List.of());
    }

    /** The run of {@code environments} with JUnit's {@code outcomes}. */
    public static RunModel build(List<EnvironmentModel> environments, List<JUnitOutcome> outcomes) {
        Map<String, TestModel> byId = new LinkedHashMap<>();
        for (EnvironmentModel environment : environments) {
            for (TestModel test : environment.tests()) {
                byId.merge(test.uniqueId(), test, RunModelBuilder::mergeJournaled);
            }
        }
        for (JUnitOutcome outcome : outcomes) {
            TestModel journaled = byId.get(outcome.uniqueId());
            byId.put(
                    outcome.uniqueId(),
                    journaled == null ? fromJUnit(outcome, environments) : withOutcome(journaled, outcome));
        }
        Map<String, TestModel> classes = new LinkedHashMap<>();
        byId.values().stream().filter(TestModel::container).forEach(c -> classes.put(c.uniqueId(), c));
        Map<String, List<TestModel>> testsOf = new LinkedHashMap<>();
        for (TestModel test : byId.values()) {
            if (test.container()) {
                continue;
            }
            String owner = classes.keySet().stream()
                    .filter(id -> test.uniqueId().startsWith(id))
                    .max(Comparator.comparingInt(String::length))
                    .orElse(null);
            if (owner == null) {
                owner = "[class:" + test.className() + "]";
                classes.putIfAbsent(
                        owner,
                        new TestModel(
                                owner,
                                test.className(),
                                null,
                                simpleName(test.className()),
                                true,
                                Status.PASSED,
                                null,
                                null,
                                test.start(),
                                test.environment(),
                                List.of(),
                                List.of(),
                                List.of()));
            }
            testsOf.computeIfAbsent(owner, id -> new ArrayList<>()).add(test);
        }
        List<ClassModel> classModels = classes.values().stream()
                .map(c -> new ClassModel(c, testsOf.getOrDefault(c.uniqueId(), List.of())))
                .sorted(Comparator.comparing((ClassModel c) -> !c.failed())
                        .thenComparing(c -> c.self().start() == null
                                ? Instant.MAX
                                : c.self().start()))
                .toList();
        Instant start = environments.stream()
                .map(EnvironmentModel::start)
                .filter(Objects::nonNull)
                .min(Comparator.naturalOrder())
                .orElse(null);
        Instant end = environments.stream()
                .map(EnvironmentModel::end)
                .filter(Objects::nonNull)
                .max(Comparator.naturalOrder())
                .orElse(null);
        List<EnvironmentModel> sorted = environments.stream()
                .sorted(Comparator.comparing((EnvironmentModel e) -> !e.failed() && !hasFailedTest(e, classModels))
                        .thenComparing(e -> e.start() == null ? Instant.MAX : e.start()))
                .toList();
        return new RunModel(start, end, classModels, sorted);
    }

    private static boolean hasFailedTest(EnvironmentModel environment, List<ClassModel> classes) {
        return classes.stream()
                .flatMap(c -> Stream.concat(Stream.of(c.self()), c.tests().stream()))
                .anyMatch(t ->
                        environment.id().equals(t.environment()) && t.status().isFailure());
    }

    /** The same test journaled twice (a class id in two journals): one entry with both's commands. */
    private static TestModel mergeJournaled(TestModel a, TestModel b) {
        List<io.testbed.core.journal.CommandEvent> commands = new ArrayList<>(a.commands());
        commands.addAll(b.commands());
        TestModel last = b.status() == Status.UNFINISHED ? a : b;
        return new TestModel(
                a.uniqueId(),
                a.className(),
                a.method(),
                a.displayName(),
                a.container(),
                last.status(),
                last.duration(),
                last.failure(),
                a.start(),
                a.environment(),
                commands,
                a.reverts(),
                a.files());
    }

    private static TestModel withOutcome(TestModel journaled, JUnitOutcome outcome) {
        // JUnit's copy of a file first; the prefix's copy of the same file (its artifacts/) only when JUnit has none
        List<PublishedFile> files = new ArrayList<>(outcome.files());
        journaled.files().stream()
                .filter(f -> files.stream().noneMatch(p -> p.name().equals(f.name())))
                .forEach(files::add);
        return new TestModel(
                journaled.uniqueId(),
                or(journaled.className(), outcome.className()),
                or(journaled.method(), outcome.method()),
                or(outcome.displayName(), journaled.displayName()),
                journaled.container() || outcome.container(),
                outcome.status(),
                outcome.duration(),
                outcome.failure(),
                journaled.start() == null ? outcome.start() : journaled.start(),
                journaled.environment(),
                journaled.commands(),
                journaled.reverts(),
                files);
    }

    private static TestModel fromJUnit(JUnitOutcome outcome, List<EnvironmentModel> environments) {
        String environment = null;
        if (outcome.prefix() != null) {
            Path prefix = outcome.prefix().toAbsolutePath().normalize();
            environment = environments.stream()
                    .filter(e -> e.prefix().equals(prefix))
                    .map(EnvironmentModel::id)
                    .findFirst()
                    .orElse(null);
        }
        return new TestModel(
                outcome.uniqueId(),
                outcome.className(),
                outcome.method(),
                outcome.displayName(),
                outcome.container(),
                outcome.status(),
                outcome.duration(),
                outcome.failure(),
                outcome.start(),
                environment,
                List.of(),
                List.of(),
                outcome.files());
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }

    static String simpleName(String className) {
        return className == null
                ? "(unknown class)"
                : className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
    }
}
