package io.testbed.core.journal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import org.apiguardian.api.API;

/**
 * One event of an environment's {@link Journal}: a step of provisioning or teardown, a fact about the host, a test
 * boundary or a command. Written as one JSON object per line, with its kind in the {@code type} property (a stable
 * short name such as {@code machine.ready}, never a Java class name), and read back by {@link JournalReader}.
 *
 * <p>The kinds are grouped by what they concern: {@link EnvironmentEvent} (the environment as a whole),
 * {@link ResourceEvent} (networks, machines, snapshots), {@link HostEvent} (providers, templates, images,
 * accelerator), {@link TestEvent} (test classes and tests), {@link CommandEvent} (commands, jobs, copies,
 * settings) and {@link LinkEvent} (network emulation). Readers of the stream (progress output, failure artifacts, reports, the CLI) tell them apart with
 * {@code instanceof} patterns.
 *
 * <p>Compatibility: a type name, once written, keeps its meaning; new kinds and new properties may appear, and
 * {@link JournalReader} skips what it does not know.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = EnvironmentEvent.ProvisioningStarted.class, name = "environment.provisioning"),
    @JsonSubTypes.Type(value = EnvironmentEvent.Planned.class, name = "environment.planned"),
    @JsonSubTypes.Type(value = EnvironmentEvent.Ready.class, name = "environment.ready"),
    @JsonSubTypes.Type(value = EnvironmentEvent.ProvisioningFailed.class, name = "environment.failed"),
    @JsonSubTypes.Type(value = EnvironmentEvent.TeardownStarted.class, name = "environment.teardown"),
    @JsonSubTypes.Type(value = EnvironmentEvent.Kept.class, name = "environment.kept"),
    @JsonSubTypes.Type(value = EnvironmentEvent.Closed.class, name = "environment.closed"),
    @JsonSubTypes.Type(value = EnvironmentEvent.LeaseTaken.class, name = "lease.taken"),
    @JsonSubTypes.Type(value = EnvironmentEvent.HostsLeased.class, name = "hosts.leased"),
    @JsonSubTypes.Type(value = EnvironmentEvent.LeaseReleased.class, name = "lease.released"),
    @JsonSubTypes.Type(value = EnvironmentEvent.LeaseKept.class, name = "lease.kept"),
    @JsonSubTypes.Type(value = EnvironmentEvent.Reaped.class, name = "reaper.reaped"),
    @JsonSubTypes.Type(value = EnvironmentEvent.StepFailed.class, name = "step.failed"),
    @JsonSubTypes.Type(value = ResourceEvent.NetworkCreated.class, name = "network.created"),
    @JsonSubTypes.Type(value = ResourceEvent.NetworkDestroyed.class, name = "network.destroyed"),
    @JsonSubTypes.Type(value = ResourceEvent.MachineCreated.class, name = "machine.created"),
    @JsonSubTypes.Type(value = ResourceEvent.ProviderStep.class, name = "provider.step"),
    @JsonSubTypes.Type(value = ResourceEvent.StartChosen.class, name = "machine.start.chosen"),
    @JsonSubTypes.Type(value = ResourceEvent.MachineBooting.class, name = "machine.booting"),
    @JsonSubTypes.Type(value = ResourceEvent.MachineStarted.class, name = "machine.started"),
    @JsonSubTypes.Type(value = ResourceEvent.MachineReady.class, name = "machine.ready"),
    @JsonSubTypes.Type(value = ResourceEvent.MachinePaused.class, name = "machine.paused"),
    @JsonSubTypes.Type(value = ResourceEvent.MachineResumed.class, name = "machine.resumed"),
    @JsonSubTypes.Type(value = ResourceEvent.MachineDestroyed.class, name = "machine.destroyed"),
    @JsonSubTypes.Type(value = ResourceEvent.StateChanged.class, name = "state"),
    @JsonSubTypes.Type(value = ResourceEvent.SnapshotTaken.class, name = "snapshot.taken"),
    @JsonSubTypes.Type(value = ResourceEvent.SnapshotSkipped.class, name = "snapshot.skipped"),
    @JsonSubTypes.Type(value = ResourceEvent.Reverted.class, name = "snapshot.reverted"),
    @JsonSubTypes.Type(value = ResourceEvent.RevertPhases.class, name = "snapshot.revert.phases"),
    @JsonSubTypes.Type(value = ResourceEvent.SnapshotDeleted.class, name = "snapshot.deleted"),
    @JsonSubTypes.Type(value = HostEvent.ProviderOpened.class, name = "provider.opened"),
    @JsonSubTypes.Type(value = HostEvent.TemplateResolved.class, name = "template.resolved"),
    @JsonSubTypes.Type(value = HostEvent.TemplateProgress.class, name = "template.progress"),
    @JsonSubTypes.Type(value = HostEvent.ImageResolved.class, name = "image.resolved"),
    @JsonSubTypes.Type(value = HostEvent.ImageProgress.class, name = "image.progress"),
    @JsonSubTypes.Type(value = HostEvent.KvmProbeProgress.class, name = "kvm.probe"),
    @JsonSubTypes.Type(value = HostEvent.AcceleratorChosen.class, name = "accelerator"),
    @JsonSubTypes.Type(value = HostEvent.WarmImageResolved.class, name = "warm.image.resolved"),
    @JsonSubTypes.Type(value = HostEvent.WarmImageDiscarded.class, name = "warm.image.discarded"),
    @JsonSubTypes.Type(value = TestEvent.ClassStarted.class, name = "test.class.started"),
    @JsonSubTypes.Type(value = TestEvent.ClassFinished.class, name = "test.class.finished"),
    @JsonSubTypes.Type(value = TestEvent.TestStarted.class, name = "test.started"),
    @JsonSubTypes.Type(value = TestEvent.TestFinished.class, name = "test.finished"),
    @JsonSubTypes.Type(value = CommandEvent.CommandRun.class, name = "command"),
    @JsonSubTypes.Type(value = CommandEvent.JobStarted.class, name = "job.started"),
    @JsonSubTypes.Type(value = CommandEvent.JobFinished.class, name = "job.finished"),
    @JsonSubTypes.Type(value = CommandEvent.FileCopied.class, name = "file.copied"),
    @JsonSubTypes.Type(value = CommandEvent.PortWaited.class, name = "port.waited"),
    @JsonSubTypes.Type(value = CommandEvent.SettingChanged.class, name = "setting.changed"),
    @JsonSubTypes.Type(value = CommandEvent.SettingRestored.class, name = "setting.restored"),
    @JsonSubTypes.Type(value = LinkEvent.ConstraintsApplied.class, name = "links.constrained"),
    @JsonSubTypes.Type(value = LinkEvent.CutMade.class, name = "links.cut"),
    @JsonSubTypes.Type(value = LinkEvent.CutHealed.class, name = "links.healed"),
    @JsonSubTypes.Type(value = LinkEvent.Validated.class, name = "links.validated"),
    @JsonSubTypes.Type(value = LinkEvent.HostRulesRemoved.class, name = "links.host.removed"),
})
@API(status = API.Status.EXPERIMENTAL)
public sealed interface Event permits EnvironmentEvent, ResourceEvent, HostEvent, TestEvent, CommandEvent, LinkEvent {

    /** When it happened (UTC; for a finished step, when it finished). */
    Instant time();

    /** The name of the environment whose journal holds it. */
    String environment();

    /**
     * Creates an event for the journal, which supplies the time and the environment's name: so that callers
     * write {@code journal.record((time, env) -> new MachineBooting(time, env, "web"))}.
     */
    @FunctionalInterface
    interface Factory {
        Event at(Instant time, String environment);
    }
}
