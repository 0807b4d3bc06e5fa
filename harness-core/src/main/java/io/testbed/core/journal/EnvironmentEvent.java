package io.testbed.core.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apiguardian.api.API;

/** Events of the environment as a whole: provisioning, leases, teardown, the reaper and failed steps. */
@API(status = API.Status.EXPERIMENTAL)
public sealed interface EnvironmentEvent extends Event {

    /** A machine as planned: what a report's topology shows. */
    record MachineSummary(
            String name, String provider, String image, Set<String> roles, Map<String, String> addresses) {
        public MachineSummary {
            roles = Set.copyOf(roles);
            addresses = Map.copyOf(addresses);
        }
    }

    /** A network as planned, with its leased subnet. */
    record NetworkSummary(String name, String mode, String subnet) {}

    /** Provisioning began in {@code prefix}, for the named machines and networks. */
    record ProvisioningStarted(
            Instant time, String environment, String prefix, List<String> machines, List<String> networks)
            implements EnvironmentEvent {
        public ProvisioningStarted {
            machines = List.copyOf(machines);
            networks = List.copyOf(networks);
        }
    }

    /** The leases are taken and every machine and network has its addresses: the topology. */
    record Planned(Instant time, String environment, List<MachineSummary> machines, List<NetworkSummary> networks)
            implements EnvironmentEvent {
        public Planned {
            machines = List.copyOf(machines);
            networks = List.copyOf(networks);
        }
    }

    /** Every machine answers and the baseline is taken, {@code duration} after provisioning began. */
    record Ready(Instant time, String environment, Duration duration) implements EnvironmentEvent {}

    /** Provisioning failed after {@code duration}; a rollback follows. */
    record ProvisioningFailed(Instant time, String environment, Duration duration, String error)
            implements EnvironmentEvent {}

    /** Teardown began. */
    record TeardownStarted(Instant time, String environment) implements EnvironmentEvent {}

    /** The environment is left running on purpose ({@code reason}); the reaper leaves it alone. */
    record Kept(Instant time, String environment, String reason) implements EnvironmentEvent {}

    /** How an environment's journal ended. */
    enum Outcome {
        TORN_DOWN,
        ROLLED_BACK
    }

    /**
     * The last event of an environment: torn down after use, or rolled back after a failed provisioning, with the
     * number of problems met on the way (0: nothing was left behind).
     */
    record Closed(Instant time, String environment, Outcome outcome, Duration duration, int problems)
            implements EnvironmentEvent {}

    /**
     * Provider {@code provider} leased existing hosts for the environment's machines ({@code hosts}: machine name to
     * inventory host, in declaration order); they are released when the environment closes or its JVM dies.
     */
    record HostsLeased(Instant time, String environment, String provider, Map<String, String> hosts, Duration duration)
            implements EnvironmentEvent {
        public HostsLeased {
            hosts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hosts));
        }
    }

    /** Subnets leased, network name → CIDR. */
    record LeaseTaken(Instant time, String environment, Map<String, String> subnets, Duration duration)
            implements EnvironmentEvent {
        public LeaseTaken {
            subnets = Map.copyOf(subnets);
        }
    }

    /** The leases are released. */
    record LeaseReleased(Instant time, String environment, Duration duration) implements EnvironmentEvent {}

    /** The leases are kept after a teardown that left objects behind ({@code reason}). */
    record LeaseKept(Instant time, String environment, String reason) implements EnvironmentEvent {}

    /** The reaper destroyed an object left by a dead process before provisioning began. */
    record Reaped(Instant time, String environment, String object) implements EnvironmentEvent {}

    /**
     * A step failed: {@code action} (e.g. {@code machine.create}) on {@code resource} (e.g. {@code machine 'web'})
     * after {@code duration}, with the error's message and class.
     */
    record StepFailed(
            Instant time,
            String environment,
            String resource,
            String action,
            Duration duration,
            String error,
            String exception)
            implements EnvironmentEvent {}
}
