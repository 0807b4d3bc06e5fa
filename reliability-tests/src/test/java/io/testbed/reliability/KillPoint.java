package io.testbed.reliability;

import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.Event;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.journal.TestEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Where {@link KilledJvmIT} kills the victim JVM: {@code delay} after the {@code occurrence}-th event of type
 * {@code marker} appears in the environment's journal.
 *
 * @param phase      what the victim is doing then, for the table
 * @param marker     the journal event that marks the phase
 * @param occurrence which occurrence of it (1-based)
 * @param delay      how long after it to kill
 */
record KillPoint(String phase, Class<? extends Event> marker, int occurrence, Duration delay) {

    /** Seed of the long list's random points, so that a failing point can be run again. */
    static final long SEED = 16;

    /** The phases, each with the event that marks its start (or, for "after", its end). */
    private static final List<KillPoint> PHASES = List.of(
            point("leasing", EnvironmentEvent.ProvisioningStarted.class, 1, 0),
            point("network creation", EnvironmentEvent.LeaseTaken.class, 1, 0),
            point("second network", ResourceEvent.NetworkCreated.class, 1, 0),
            point("machine creation", ResourceEvent.MachineCreated.class, 1, 0),
            point("boot", ResourceEvent.MachineBooting.class, 1, 0),
            point("boot, later", ResourceEvent.MachineBooting.class, 2, 1500),
            point("one machine ready", ResourceEvent.MachineReady.class, 1, 0),
            point("snapshot", ResourceEvent.SnapshotTaken.class, 1, 0),
            point("a test", TestEvent.TestStarted.class, 1, 700),
            point("revert", TestEvent.TestFinished.class, 1, 0),
            point("revert of a second machine", ResourceEvent.Reverted.class, 1, 0),
            point("teardown", EnvironmentEvent.TeardownStarted.class, 1, 0),
            point("teardown, one machine gone", ResourceEvent.MachineDestroyed.class, 1, 0));

    /** The normal build's points: one per phase. */
    static List<KillPoint> shortList() {
        return PHASES;
    }

    /** The long profile's 50 points: every phase, then random occurrences and delays of the phases' markers. */
    static List<KillPoint> longList() {
        List<KillPoint> points = new ArrayList<>(PHASES);
        Random random = new Random(SEED);
        while (points.size() < 50) {
            KillPoint base = PHASES.get(random.nextInt(PHASES.size()));
            points.add(new KillPoint(
                    base.phase() + ", random",
                    base.marker(),
                    base.occurrence(),
                    Duration.ofMillis(random.nextInt(3000))));
        }
        return points;
    }

    /** The list the system property {@code testbed.it.chaos.points} names: {@code short} (default) or {@code long}. */
    static List<KillPoint> configured() {
        return "long".equals(System.getProperty("testbed.it.chaos.points", "short")) ? longList() : shortList();
    }

    private static KillPoint point(String phase, Class<? extends Event> marker, int occurrence, long delayMillis) {
        return new KillPoint(phase, marker, occurrence, Duration.ofMillis(delayMillis));
    }

    @Override
    public String toString() {
        return phase + " (" + marker.getSimpleName() + " #" + occurrence + " +" + delay.toMillis() + " ms)";
    }
}
