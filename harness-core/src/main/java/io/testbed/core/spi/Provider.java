package io.testbed.core.spi;

import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.SpecProblem;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apiguardian.api.API;

/**
 * A backend that creates machines and networks: libvirt, Docker, existing SSH hosts. Found with
 * {@link java.util.ServiceLoader}; must have a public no-argument constructor and be cheap to construct
 * (no connection until {@link #open}).
 */
@API(status = API.Status.EXPERIMENTAL)
public interface Provider {

    /** The name used in specs ({@code machine.provider}), e.g. {@code libvirt}. */
    String name();

    /** What the provider can do. */
    Set<Capability> capabilities();

    /**
     * Checks a machine against this provider's rules before anything is provisioned (template exists,
     * image present, …). Must not create anything.
     */
    List<SpecProblem> validate(MachineSpec machine, EnvironmentSpec environment, ProviderContext context);

    /**
     * The distinct ways this provider can give the environment its machines when it chooses among things that
     * already exist (inventory hosts), at most {@code limit}, in a stable order; each is the environment with the
     * choice fixed (so that {@link #open provisioning} it makes exactly that choice) and a name for it. Empty (the
     * default) when the provider makes no choice; then the environment is run as it is. Creates nothing.
     *
     * @throws io.testbed.core.spec.InvalidSpecException when there is no way at all, explained per machine
     */
    default List<Choice> choices(EnvironmentSpec environment, ProviderContext context, int limit) {
        return List.of();
    }

    /**
     * One way to give an environment its machines.
     *
     * @param name        what the choice is, for people: {@code server=lab-1, client=lab-3}
     * @param environment the environment with the choice fixed
     */
    record Choice(String name, EnvironmentSpec environment) {
        public Choice {
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(environment, "environment");
        }
    }

    /**
     * Where this provider keeps its objects with this configuration: the daemon it talks to (a Docker endpoint, a
     * libvirt connection URI), spelled the same way for the same daemon so that endpoints compare as strings. The
     * engine records it with each resource ({@code resources.json}); a reaper counts a dead environment's objects
     * as reaped by this provider only when it reaped them at the recorded endpoint, so a run against another daemon
     * (a private {@code DOCKER_HOST}, a remote libvirt) stays registered until a reaper reaches that daemon. Empty
     * (the default) when the provider's objects are reaped wherever it runs. Called after {@link #open} or
     * {@link #reapOrphans}; must not create anything and should not wait for a daemon.
     */
    default String endpoint(java.util.Map<String, String> configuration) {
        return "";
    }

    /** Opens a session for one environment; the session is closed after teardown. */
    ProviderSession open(ProviderContext context);

    /**
     * Destroys objects this provider created whose owner is dead ({@code isOrphan} true), e.g. after the JVM
     * was killed. Returns a description of each object removed. The engine calls it before provisioning an
     * environment that has a machine of this provider (never for environments without one).
     */
    List<String> reapOrphans(Predicate<Owner> isOrphan, java.util.Map<String, String> configuration);
}
