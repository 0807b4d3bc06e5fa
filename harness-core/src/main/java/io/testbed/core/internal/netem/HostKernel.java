package io.testbed.core.internal.netem;

import io.testbed.core.internal.support.LocalCommand;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * What the host kernel offers network emulation. Probed, not guessed from module lists (a kernel may build
 * {@code sch_netem} in, or lack modules altogether): a netem qdisc on the loopback device of a fresh network
 * namespace, which touches nothing of the host's.
 */
@API(status = API.Status.INTERNAL)
public final class HostKernel {

    /** The kernel feature a delay or jitter needs. */
    public static final String NETEM = "sch_netem";

    private static volatile Boolean netem;

    private HostKernel() {}

    /** Whether the host kernel has {@code sch_netem} (probed once per JVM; false when the probe cannot run). */
    public static boolean hasNetem() {
        Boolean known = netem;
        if (known == null) {
            known = probe();
            netem = known;
        }
        return known;
    }

    private static boolean probe() {
        try {
            return LocalCommand.of("unshare", "-n", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms")
                    .timeout(Duration.ofSeconds(20))
                    .run()
                    .succeeded();
        } catch (LocalCommand.FailedException e) {
            return false; // no unshare or tc: nothing on this host could apply a netem qdisc either
        }
    }
}
