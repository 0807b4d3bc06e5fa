package io.testbed.core.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apiguardian.api.API;

/** Events of one network, machine or snapshot; a failed step is a {@link EnvironmentEvent.StepFailed}. */
@API(status = API.Status.EXPERIMENTAL)
public sealed interface ResourceEvent extends Event {

    /** Network {@code network} exists at provider {@code provider} as {@code providerId}. */
    record NetworkCreated(
            Instant time,
            String environment,
            String network,
            String provider,
            String providerId,
            String subnet,
            Duration duration)
            implements ResourceEvent {}

    /** Network {@code network} is gone. */
    record NetworkDestroyed(Instant time, String environment, String network, Duration duration)
            implements ResourceEvent {}

    /** Machine {@code machine} exists (defined, not started) at {@code provider} as {@code providerId}. */
    record MachineCreated(
            Instant time, String environment, String machine, String provider, String providerId, Duration duration)
            implements ResourceEvent {}

    /**
     * A provider's own part of creating or changing machine {@code machine}, e.g. {@code disk.overlay},
     * {@code disk.seed}, {@code domain.define}: for the timeline of a report.
     */
    record ProviderStep(Instant time, String environment, String machine, String step, Duration duration)
            implements ResourceEvent {}

    /** How a machine comes to life. */
    enum StartMethod {
        /** Booted from its template: firmware, kernel, init. */
        COLD,
        /** Restored from its template's warm image (booted memory saved once), then given its identity. */
        WARM
    }

    /**
     * Machine {@code machine} will start by {@code method}, for the one {@code reason} given (the warm image it is
     * restored from, or why it boots cold: warm start switched off, a shape the warm image cannot serve, a failed
     * restore).
     */
    record StartChosen(Instant time, String environment, String machine, StartMethod method, String reason)
            implements ResourceEvent {}

    /** Machine {@code machine} is being started: its boot begins. */
    record MachineBooting(Instant time, String environment, String machine) implements ResourceEvent {}

    /** The provider's start call for {@code machine} returned after {@code duration}; the guest still boots. */
    record MachineStarted(Instant time, String environment, String machine, Duration duration)
            implements ResourceEvent {}

    /**
     * Machine {@code machine} answers commands, {@code bootDuration} after it began booting ({@code readyWait}
     * of it waiting for the answer).
     */
    record MachineReady(Instant time, String environment, String machine, Duration bootDuration, Duration readyWait)
            implements ResourceEvent {}

    /** Machine {@code machine} is paused. */
    record MachinePaused(Instant time, String environment, String machine, Duration duration)
            implements ResourceEvent {}

    /** Machine {@code machine} runs again after a pause. */
    record MachineResumed(Instant time, String environment, String machine, Duration duration)
            implements ResourceEvent {}

    /** Machine {@code machine} is stopped and destroyed. */
    record MachineDestroyed(Instant time, String environment, String machine, Duration duration)
            implements ResourceEvent {}

    /** What kind of resource a {@link StateChanged} concerns. */
    enum Kind {
        MACHINE,
        NETWORK
    }

    /** A resource's lifecycle moved, e.g. {@code CREATED} → {@code RUNNING}. */
    record StateChanged(Instant time, String environment, Kind kind, String name, String from, String to)
            implements ResourceEvent {}

    /** Snapshot {@code snapshot} of {@code machine} is taken. */
    record SnapshotTaken(Instant time, String environment, String machine, String snapshot, Duration duration)
            implements ResourceEvent {}

    /** No snapshot of {@code machine} is taken ({@code reason}, e.g. its provider cannot). */
    record SnapshotSkipped(Instant time, String environment, String machine, String reason) implements ResourceEvent {}

    /** Machine {@code machine} is back at snapshot {@code snapshot}, after {@code duration}. */
    record Reverted(Instant time, String environment, String machine, String snapshot, Duration duration)
            implements ResourceEvent {}

    /**
     * The parts of one revert as the provider measured them (e.g. remove, create, start, ready for a container),
     * recorded just before its {@link Reverted}.
     */
    record RevertPhases(Instant time, String environment, String machine, String snapshot, Map<String, Duration> phases)
            implements ResourceEvent {
        public RevertPhases {
            phases = Map.copyOf(phases);
        }
    }

    /** Snapshot {@code snapshot} of {@code machine} is deleted. */
    record SnapshotDeleted(Instant time, String environment, String machine, String snapshot, Duration duration)
            implements ResourceEvent {}
}
