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

    /** Opens a session for one environment; the session is closed after teardown. */
    ProviderSession open(ProviderContext context);

    /**
     * Destroys objects this provider created whose owner is dead ({@code isOrphan} true), e.g. after the JVM
     * was killed. Returns a description of each object removed. The engine calls it before provisioning an
     * environment that has a machine of this provider (never for environments without one).
     */
    List<String> reapOrphans(Predicate<Owner> isOrphan, java.util.Map<String, String> configuration);
}
