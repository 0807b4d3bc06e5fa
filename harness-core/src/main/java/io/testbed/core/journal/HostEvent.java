package io.testbed.core.journal;

import java.time.Duration;
import java.time.Instant;
import org.apiguardian.api.API;

/**
 * Facts about the host and its providers that an environment met: sessions opened, templates and images resolved,
 * the accelerator chosen. They are the same for every environment of a host, so progress output prints them once.
 */
@API(status = API.Status.EXPERIMENTAL)
public sealed interface HostEvent extends Event {

    /** A session of provider {@code provider} is open. */
    record ProviderOpened(Instant time, String environment, String provider, Duration duration) implements HostEvent {}

    /**
     * Template {@code template} is on disk at {@code path}; {@code builtAt} says when it was built (null for an image
     * template), so a build during {@code duration} tells "built now" from "cached".
     */
    record TemplateResolved(
            Instant time, String environment, String template, String path, Instant builtAt, Duration duration)
            implements HostEvent {}

    /** A line of the template store's own report: cached, building (which can take minutes), reused. */
    record TemplateProgress(Instant time, String environment, String line) implements HostEvent {}

    /** Container image {@code image} is present locally, tagged {@code localImage} (imported or built if missing). */
    record ImageResolved(Instant time, String environment, String image, String localImage, Duration duration)
            implements HostEvent {}

    /** A line of a container image's import or build. */
    record ImageProgress(Instant time, String environment, String image, String line) implements HostEvent {}

    /** A line of the KVM probe (its verdict ends up as the reason of {@link AcceleratorChosen}). */
    record KvmProbeProgress(Instant time, String environment, String line) implements HostEvent {}

    /** How virtual machines run: hardware virtualization or software emulation. */
    enum Accelerator {
        KVM,
        TCG
    }

    /** Machines of {@code template} run under {@code accelerator}, for the one {@code reason} given. */
    record AcceleratorChosen(Instant time, String environment, String template, Accelerator accelerator, String reason)
            implements HostEvent {}

    /**
     * The warm image of template {@code template} for one machine shape (its booted memory saved, ready to be
     * restored into new machines) is at {@code path}: {@code built} when it was built now, in {@code duration}, else
     * reused from the template store.
     */
    record WarmImageResolved(
            Instant time, String environment, String template, String path, boolean built, Duration duration)
            implements HostEvent {}

    /**
     * The warm image at {@code path} was thrown away for {@code reason} (corrupt, stale, or a restore from it failed);
     * the next warm start of that shape builds it again.
     */
    record WarmImageDiscarded(Instant time, String environment, String template, String path, String reason)
            implements HostEvent {}
}
