package io.testbed.reports.internal;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.JournalReader;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.journal.TestEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one prefix directory into an {@link EnvironmentModel}: its {@code journal.jsonl} (through
 * {@link JournalReader}, so a journal cut short by a killed JVM gives what it holds) and the console logs
 * ({@code logs/<machine>-console.log}) and failure artifacts ({@code artifacts/}) it keeps. Reads nothing else.
 */
public final class EnvironmentReader {

    /** The journal's file name in a prefix. */
    public static final String JOURNAL = "journal.jsonl";

    private static final Pattern MACHINE = Pattern.compile("machine '(.+)'");

    private final Path prefix;
    private final String id;
    private String name;
    private Instant start;
    private Instant end;
    private final Map<String, MachineBuilder> machines = new LinkedHashMap<>();
    private final List<NetworkModel> networks = new ArrayList<>();
    private final Map<String, String> accelerators = new HashMap<>();
    /** The local image of the last {@link HostEvent.ImageResolved}: what containers that name no image run. */
    private String resolvedImage;

    private final List<Span> spans = new ArrayList<>();
    private final EnvironmentNotes notes = new EnvironmentNotes(spans);
    private final List<String> failures = new ArrayList<>();
    private final Map<String, TestBuilder> tests = new LinkedHashMap<>();
    private final Map<String, CommandEvent.JobStarted> jobs = new HashMap<>();
    private TestBuilder lastFinished;
    private Duration ready;
    private String outcome;

    private EnvironmentReader(Path prefix) {
        this.prefix = prefix;
        this.id = prefix.getFileName().toString();
        this.name = id;
    }

    /** Whether {@code dir} holds a journal. */
    public static boolean isPrefix(Path dir) {
        return Files.isRegularFile(dir.resolve(JOURNAL));
    }

    /**
     * Reads the prefix {@code dir}.
     *
     * @throws io.testbed.core.TestbedException when its journal cannot be read at all
     */
    public static EnvironmentModel read(Path dir) {
        EnvironmentReader reader = new EnvironmentReader(dir.toAbsolutePath().normalize());
        JournalReader.Contents contents = JournalReader.read(dir.resolve(JOURNAL));
        contents.events().forEach(reader::accept);
        return reader.build(contents);
    }

    private void accept(Event event) {
        if (start == null) {
            start = event.time();
            name = event.environment();
        }
        end = end == null || event.time().isAfter(end) ? event.time() : end;
        if (notes.accept(event)) {
            return; // a note and a bar: how a machine started, warm images, links, host leases
        }
        if (event instanceof EnvironmentEvent e) {
            environment(e);
        } else if (event instanceof ResourceEvent e) {
            resource(e);
        } else if (event instanceof HostEvent.AcceleratorChosen e) {
            accelerators.put(e.template(), e.accelerator().name());
        } else if (event instanceof HostEvent.ImageResolved e) {
            resolvedImage = e.localImage();
        } else if (event instanceof TestEvent e) {
            test(e);
        } else if (event instanceof CommandEvent e) {
            command(e);
        }
    }

    private void environment(EnvironmentEvent event) {
        if (event instanceof EnvironmentEvent.ProvisioningStarted e) {
            e.machines().forEach(this::machine);
        } else if (event instanceof EnvironmentEvent.Planned e) {
            for (EnvironmentEvent.MachineSummary summary : e.machines()) {
                machine(summary.name()).summary = summary;
            }
            e.networks().forEach(n -> networks.add(new NetworkModel(n.name(), n.mode(), n.subnet())));
        } else if (event instanceof EnvironmentEvent.LeaseTaken e) {
            span(
                    Span.ENVIRONMENT,
                    Span.Kind.LEASE,
                    "subnets leased " + e.subnets().values(),
                    e.time(),
                    e.duration());
        } else if (event instanceof EnvironmentEvent.Ready e) {
            ready = e.duration();
        } else if (event instanceof EnvironmentEvent.ProvisioningFailed e) {
            failures.add("provisioning failed after " + Format.duration(e.duration()) + ": " + e.error());
        } else if (event instanceof EnvironmentEvent.StepFailed e) {
            Matcher m = MACHINE.matcher(e.resource());
            String lane = m.matches() && machines.containsKey(m.group(1)) ? m.group(1) : Span.ENVIRONMENT;
            spans.add(new Span(
                    lane,
                    Span.Kind.FAILURE,
                    e.resource() + " " + e.action() + " failed: " + e.error(),
                    e.time().minus(e.duration()),
                    e.time(),
                    true));
            failures.add(e.resource() + " " + e.action() + " failed after " + Format.duration(e.duration()) + ": "
                    + e.error());
        } else if (event instanceof EnvironmentEvent.TeardownStarted e) {
            spans.add(new Span(Span.ENVIRONMENT, Span.Kind.TEARDOWN, "teardown", e.time(), e.time(), false));
        } else if (event instanceof EnvironmentEvent.LeaseReleased e) {
            span(Span.ENVIRONMENT, Span.Kind.TEARDOWN, "leases released", e.time(), e.duration());
        } else if (event instanceof EnvironmentEvent.Kept e) {
            outcome = "kept (" + e.reason() + ")";
        } else if (event instanceof EnvironmentEvent.Closed e) {
            outcome = e.outcome() == EnvironmentEvent.Outcome.TORN_DOWN ? "torn down" : "rolled back";
            if (e.problems() > 0) {
                failures.add(outcome + " with " + e.problems() + " problem(s)");
                outcome += ", " + e.problems() + " problem(s)";
            }
        }
    }

    private void resource(ResourceEvent event) {
        if (event instanceof ResourceEvent.NetworkCreated e) {
            span(Span.ENVIRONMENT, Span.Kind.NETWORK, "network '" + e.network() + "' created", e.time(), e.duration());
        } else if (event instanceof ResourceEvent.NetworkDestroyed e) {
            span(
                    Span.ENVIRONMENT,
                    Span.Kind.TEARDOWN,
                    "network '" + e.network() + "' destroyed",
                    e.time(),
                    e.duration());
        } else if (event instanceof ResourceEvent.ProviderStep e) {
            span(e.machine(), Span.Kind.PROVIDER, e.step(), e.time(), e.duration());
        } else if (event instanceof ResourceEvent.MachineCreated e) {
            span(e.machine(), Span.Kind.CREATE, "created", e.time(), e.duration());
        } else if (event instanceof ResourceEvent.MachineStarted e) {
            span(e.machine(), Span.Kind.BOOT, "started", e.time(), e.duration());
        } else if (event instanceof ResourceEvent.MachineReady e) {
            MachineBuilder machine = machine(e.machine());
            machine.boot = e.bootDuration();
            machine.readyWait = e.readyWait();
            span(
                    e.machine(),
                    Span.Kind.READY,
                    "booted, first command after " + Format.duration(e.bootDuration()),
                    e.time(),
                    e.readyWait());
        } else if (event instanceof ResourceEvent.SnapshotTaken e) {
            span(e.machine(), Span.Kind.SNAPSHOT, "snapshot " + e.snapshot(), e.time(), e.duration());
        } else if (event instanceof ResourceEvent.Reverted e) {
            machine(e.machine()).reverts.add(e.duration());
            span(e.machine(), Span.Kind.REVERT, "reverted to " + e.snapshot(), e.time(), e.duration());
            if (lastFinished != null) {
                lastFinished.reverts.add(e.duration());
            }
        } else if (event instanceof ResourceEvent.MachineDestroyed e) {
            span(e.machine(), Span.Kind.TEARDOWN, "destroyed", e.time(), e.duration());
        }
    }

    private void test(TestEvent event) {
        if (event instanceof TestEvent.ClassStarted e) {
            TestBuilder test = test(e.uniqueId(), e.testClass(), null, e.displayName(), true);
            test.start = e.time();
        } else if (event instanceof TestEvent.ClassFinished e) {
            TestBuilder test = test(e.uniqueId(), e.testClass(), null, null, true);
            test.finish(Status.of(e.result()), e.duration(), e.failure());
        } else if (event instanceof TestEvent.TestStarted e) {
            TestBuilder test = test(e.uniqueId(), e.testClass(), e.method(), e.displayName(), false);
            test.start = e.time();
            lastFinished = null;
        } else if (event instanceof TestEvent.TestFinished e) {
            TestBuilder test = test(e.uniqueId(), e.testClass(), e.method(), e.displayName(), false);
            test.finish(Status.of(e.result()), e.duration(), e.failure());
            if (test.start == null) {
                test.start = e.time().minus(e.duration());
            }
            lastFinished = test;
            spans.add(new Span(
                    Span.TESTS,
                    Span.Kind.TEST,
                    e.displayName() + ": " + test.status.label(),
                    test.start,
                    e.time(),
                    test.status.isFailure()));
        }
    }

    private void command(CommandEvent event) {
        if (event.test() != null) {
            TestBuilder test = tests.get(event.test());
            if (test == null) {
                test = test(event.test(), null, null, event.test(), false);
            }
            test.commands.add(event);
        }
        if (event instanceof CommandEvent.CommandRun) {
            machine(event.machine()).commands++;
        } else if (event instanceof CommandEvent.JobStarted e) {
            jobs.put(e.machine() + "#" + e.job(), e);
        } else if (event instanceof CommandEvent.JobFinished e) {
            jobs.remove(e.machine() + "#" + e.job());
            boolean failed = !e.killed() && (e.exitCode() == null || e.exitCode() != 0);
            spans.add(new Span(
                    e.machine(),
                    Span.Kind.JOB,
                    "job " + e.job() + (e.killed() ? " killed" : " ended") + ": " + e.command(),
                    e.time().minus(e.duration()),
                    e.time(),
                    failed));
        }
    }

    private EnvironmentModel build(JournalReader.Contents contents) {
        for (CommandEvent.JobStarted job : jobs.values()) {
            spans.add(new Span(
                    job.machine(),
                    Span.Kind.JOB,
                    "job " + job.job() + " (no end journaled): " + job.command(),
                    job.time(),
                    end,
                    false));
        }
        List<Note> noteList = notes.finish(end);
        List<MachineModel> machineModels =
                machines.values().stream().map(MachineBuilder::build).toList();
        List<TestModel> testModels =
                tests.values().stream().map(TestBuilder::build).toList();
        return new EnvironmentModel(
                id,
                name,
                prefix,
                start,
                end,
                machineModels,
                networks,
                spans,
                ready,
                noteList,
                failures,
                outcome,
                contents.complete(),
                contents.truncated(),
                contents.unreadableLines().size(),
                contents.unknownTypes(),
                testModels);
    }

    private void span(String lane, Span.Kind kind, String label, Instant end, Duration duration) {
        spans.add(new Span(
                lane,
                kind,
                label + " (" + Format.duration(duration) + ")",
                duration == null ? end : end.minus(duration),
                end,
                false));
    }

    private MachineBuilder machine(String machine) {
        return machines.computeIfAbsent(machine, MachineBuilder::new);
    }

    private TestBuilder test(String uniqueId, String className, String method, String displayName, boolean container) {
        TestBuilder test = tests.computeIfAbsent(uniqueId, TestBuilder::new);
        test.className = className != null ? className : test.className;
        test.method = method != null ? method : test.method;
        test.displayName = displayName != null ? displayName : test.displayName;
        test.container |= container;
        return test;
    }

    private final class MachineBuilder {
        final String name;
        EnvironmentEvent.MachineSummary summary;
        Duration boot;
        Duration readyWait;
        final List<Duration> reverts = new ArrayList<>();
        int commands;

        MachineBuilder(String name) {
            this.name = name;
        }

        MachineModel build() {
            String provider = summary == null ? null : summary.provider();
            String image = summary == null ? null : summary.image();
            if ((image == null || image.isBlank()) && "docker".equals(provider)) {
                image = resolvedImage == null ? "(default image)" : resolvedImage;
            }
            String accelerator = "libvirt".equals(provider) ? accelerators.get(image) : null;
            Path console = prefix.resolve("logs").resolve(name + "-console.log");
            return new MachineModel(
                    name,
                    provider,
                    image,
                    summary == null ? Set.of() : summary.roles(),
                    summary == null ? Map.of() : summary.addresses(),
                    accelerator,
                    boot,
                    readyWait,
                    reverts,
                    Files.isRegularFile(console) ? console : null,
                    commands,
                    notes.startOf(name));
        }
    }

    private final class TestBuilder {
        final String uniqueId;
        String className;
        String method;
        String displayName;
        boolean container;
        Status status = Status.UNFINISHED;
        Duration duration;
        String failure;
        Instant start;
        final List<CommandEvent> commands = new ArrayList<>();
        final List<Duration> reverts = new ArrayList<>();

        TestBuilder(String uniqueId) {
            this.uniqueId = uniqueId;
        }

        void finish(Status status, Duration duration, String failure) {
            this.status = status;
            this.duration = duration;
            this.failure = failure;
        }

        TestModel build() {
            return new TestModel(
                    uniqueId,
                    className,
                    method,
                    displayName,
                    container,
                    status,
                    duration,
                    failure,
                    start,
                    id,
                    commands,
                    reverts,
                    Artifacts.of(prefix, className, method, uniqueId));
        }
    }
}
