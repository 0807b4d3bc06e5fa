package io.testbed.reports.internal;

import io.testbed.core.journal.CommandEvent;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.journal.TestEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a prefix's {@code journal.jsonl} with the real {@link Journal} and event records, on a clock the caller
 * moves, as an environment would: {@link #provision} (lease, network, machines booting, baseline), tests with
 * commands, {@link #tearDown}. Shared with the bench (this module's test jar), which writes a large run with it.
 */
public final class JournalFixture implements AutoCloseable {

    public static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final MovingClock clock = new MovingClock();
    private final Journal journal;
    public final Path prefix;
    public final String environment;
    public final String classId;

    public JournalFixture(Path root, String environment) {
        this.environment = environment;
        this.prefix = root.resolve(environment + "-0a1b2c3d");
        this.classId = "[engine:junit-jupiter]/[class:io.example." + className() + "]";
        this.journal = Journal.open(prefix.resolve("journal.jsonl"), environment, clock);
    }

    public String className() {
        return "Fixture" + Integer.toHexString(environment.hashCode()) + "IT";
    }

    public JournalFixture at(long millisAfterStart) {
        clock.now = T0.plusMillis(millisAfterStart);
        return this;
    }

    public JournalFixture after(long millis) {
        clock.now = clock.now.plusMillis(millis);
        return this;
    }

    public JournalFixture record(Event.Factory event) {
        journal.record(event);
        return this;
    }

    /** A VM {@code web} (libvirt, tiny, TCG) and a container {@code box} (docker) on network {@code lan}. */
    public JournalFixture provision() {
        at(0);
        record((t, e) -> new EnvironmentEvent.ProvisioningStarted(
                t, e, prefix.toString(), List.of("web", "box"), List.of("lan")));
        after(20)
                .record((t, e) ->
                        new EnvironmentEvent.LeaseTaken(t, e, Map.of("lan", "198.18.7.0/24"), Duration.ofMillis(20)));
        record((t, e) -> new EnvironmentEvent.Planned(
                t,
                e,
                List.of(
                        new EnvironmentEvent.MachineSummary(
                                "web", "libvirt", "tiny", Set.of("frontend"), Map.of("lan", "198.18.7.10")),
                        new EnvironmentEvent.MachineSummary(
                                "box", "docker", "testbed/tiny:1", Set.of(), Map.of("lan", "198.18.7.11"))),
                List.of(new EnvironmentEvent.NetworkSummary("lan", "ISOLATED", "198.18.7.0/24"))));
        after(5).record((t, e) ->
                new HostEvent.AcceleratorChosen(t, e, "tiny", HostEvent.Accelerator.TCG, "KVM probe did not answer"));
        after(200)
                .record((t, e) -> new ResourceEvent.NetworkCreated(
                        t, e, "lan", "libvirt", "tb-lan", "198.18.7.0/24", Duration.ofMillis(200)));
        after(40).record((t, e) -> new ResourceEvent.ProviderStep(t, e, "web", "disk.overlay", Duration.ofMillis(40)));
        after(60)
                .record((t, e) ->
                        new ResourceEvent.MachineCreated(t, e, "web", "libvirt", "tb-web", Duration.ofMillis(100)));
        record((t, e) -> new ResourceEvent.MachineBooting(t, e, "web"));
        after(300)
                .record((t, e) ->
                        new ResourceEvent.MachineCreated(t, e, "box", "docker", "c0ffee", Duration.ofMillis(300)));
        record((t, e) -> new ResourceEvent.MachineBooting(t, e, "box"));
        after(500)
                .record((t, e) ->
                        new ResourceEvent.MachineReady(t, e, "box", Duration.ofMillis(500), Duration.ofMillis(300)));
        after(6200)
                .record((t, e) ->
                        new ResourceEvent.MachineReady(t, e, "web", Duration.ofMillis(7000), Duration.ofMillis(6000)));
        after(150).record((t, e) -> new ResourceEvent.SnapshotTaken(t, e, "web", "baseline", Duration.ofMillis(150)));
        record((t, e) -> new ResourceEvent.SnapshotTaken(t, e, "box", "baseline", Duration.ofMillis(150)));
        record((t, e) -> new EnvironmentEvent.Ready(t, e, Duration.ofMillis(7475)));
        after(1).record((t, e) -> new TestEvent.ClassStarted(t, e, "io.example." + className(), classId, className()));
        journal.currentTest(classId); // as the extension does: @BeforeAll commands belong to the class
        return this;
    }

    public String testId(String method) {
        return classId + "/[method:" + method + "()]";
    }

    public JournalFixture startTest(String method) {
        String id = testId(method);
        journal.currentTest(id);
        return after(2).record((t, e) ->
                new TestEvent.TestStarted(t, e, "io.example." + className(), method, method + "()", id));
    }

    public JournalFixture run(String machine, String command, int exit, String stdout, String stderr) {
        String test = journal.currentTest();
        return after(80)
                .record((t, e) -> new CommandEvent.CommandRun(
                        t,
                        e,
                        test,
                        machine,
                        CommandEvent.Purpose.RUN,
                        command,
                        null,
                        List.of(),
                        CommandEvent.Outcome.EXITED,
                        exit,
                        null,
                        Duration.ofMillis(75),
                        stdout,
                        stderr));
    }

    public JournalFixture finishTest(String method, TestEvent.Result result, String failure) {
        String id = testId(method);
        after(3).record((t, e) -> new TestEvent.TestFinished(
                t, e, "io.example." + className(), method, method + "()", id, result, Duration.ofMillis(400), failure));
        after(450).record((t, e) -> new ResourceEvent.Reverted(t, e, "web", "baseline", Duration.ofMillis(450)));
        after(10).record((t, e) -> new ResourceEvent.Reverted(t, e, "box", "baseline", Duration.ofMillis(500)));
        journal.currentTest(classId);
        return this;
    }

    public JournalFixture tearDown(boolean failed) {
        after(5).record((t, e) -> new TestEvent.ClassFinished(
                t,
                e,
                "io.example." + className(),
                classId,
                failed ? TestEvent.Result.FAILED : TestEvent.Result.PASSED,
                Duration.ofSeconds(3),
                null));
        journal.currentTest(null);
        record((t, e) -> new EnvironmentEvent.TeardownStarted(t, e));
        after(1300).record((t, e) -> new ResourceEvent.MachineDestroyed(t, e, "web", Duration.ofMillis(1300)));
        after(200).record((t, e) -> new ResourceEvent.MachineDestroyed(t, e, "box", Duration.ofMillis(200)));
        after(300).record((t, e) -> new ResourceEvent.NetworkDestroyed(t, e, "lan", Duration.ofMillis(300)));
        after(5).record((t, e) -> new EnvironmentEvent.LeaseReleased(t, e, Duration.ofMillis(5)));
        record((t, e) ->
                new EnvironmentEvent.Closed(t, e, EnvironmentEvent.Outcome.TORN_DOWN, Duration.ofMillis(1810), 0));
        return this;
    }

    /** Writes {@code text} to {@code logs/<machine>-console.log}. */
    public JournalFixture console(String machine, String text) {
        try {
            Files.createDirectories(prefix.resolve("logs"));
            Files.writeString(prefix.resolve("logs").resolve(machine + "-console.log"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Appends half a line, as a JVM killed while writing leaves it. */
    public JournalFixture cutShort() {
        close();
        try {
            Files.writeString(
                    prefix.resolve("journal.jsonl"),
                    "{\"time\":\"2026-12-01T10:00:09Z\",\"type\":\"comm",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @Override
    public void close() {
        journal.close();
    }

    private static final class MovingClock extends Clock {
        Instant now = T0;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
