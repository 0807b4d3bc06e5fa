package io.testbed.core.internal.netem;

import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Traffic control in the sending machine, EnOSlib's model: on the interface that holds the machine's address on a
 * network, an HTB root whose default class lets everything through, one class per shaped destination (its rate, or
 * unlimited) with a netem leaf (its delay and jitter), and a u32 filter on the destination address. The whole tree
 * is replaced at once; {@link #clearScript} removes it. It is Testbed's own: the root qdisc of an interface of a
 * machine Testbed created.
 */
@API(status = API.Status.INTERNAL)
public final class Shaping {

    /**
     * What the default class and destinations without a rate get: more than a virtual link carries here, with an
     * explicit burst (a millisecond's worth) because tc's computed burst overflows above a few gbit.
     */
    static final String UNLIMITED = "rate 1gbit ceil 1gbit burst 125k cburst 125k";

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private Shaping() {}

    /** One shaped destination. */
    public record Target(InetAddress address, LinkTable.Shape shape) {}

    /**
     * The script that shapes traffic from {@code source} (the machine's address on the network) to each target.
     */
    public static String script(InetAddress source, List<Target> targets) {
        StringBuilder s = new StringBuilder(prelude(source));
        s.append("command -v tc >/dev/null 2>&1 || { echo 'no tc (iproute2) in this machine: network emulation "
                + "shapes traffic with it' >&2; exit 4; }\n");
        // modules of a guest kernel; built in (or absent) in a container's host kernel, where modprobe may be missing
        s.append("for m in sch_htb sch_netem cls_u32; do modprobe $m 2>/dev/null || true; done\n");
        s.append("tc qdisc del dev \"$IF\" root 2>/dev/null || true\n");
        // one tc process for the whole tree: under emulation every process start in a guest costs milliseconds
        s.append("tc -batch - <<EOF\n");
        s.append("qdisc add dev $IF root handle 1: htb default 1\n");
        s.append("class add dev $IF parent 1: classid 1:1 htb " + UNLIMITED + "\n");
        int minor = 10;
        for (Target target : targets) {
            LinkTable.Shape shape = target.shape();
            String rate = shape.rateBits() > 0
                    ? "rate " + shape.rateBits() + "bit ceil " + shape.rateBits() + "bit"
                    : UNLIMITED;
            String classId = "1:" + Integer.toHexString(minor);
            s.append("class add dev $IF parent 1: classid " + classId + " htb " + rate + "\n");
            if (!shape.delay().isZero()) {
                s.append("qdisc add dev $IF parent " + classId + " handle " + Integer.toHexString(minor)
                        + ": netem limit 100000 delay " + micros(shape.delay())
                        + (shape.jitter().isZero() ? "" : " " + micros(shape.jitter()))
                        + "\n");
            }
            s.append("filter add dev $IF parent 1: protocol ip prio 1 u32 match ip dst "
                    + target.address().getHostAddress() + "/32 flowid " + classId + "\n");
            minor++;
        }
        s.append("EOF\n");
        return s.toString();
    }

    /** The script that removes the tree from the interface holding {@code source}. */
    public static String clearScript(InetAddress source) {
        return prelude(source) + "tc qdisc del dev \"$IF\" root 2>/dev/null || true\n";
    }

    /** Runs a script from {@link #script} or {@link #clearScript} on {@code machine}. */
    public static void run(Machine machine, String script) {
        try {
            machine.run(script, RunOptions.expectSuccess().withTimeout(TIMEOUT));
        } catch (RuntimeException e) {
            throw new TestbedException(
                    "Cannot shape the traffic of machine '" + machine.name() + "': " + e.getMessage(), e);
        }
    }

    /** Finds the interface holding the address ({@code IF}); exits 3 when there is none. */
    private static String prelude(InetAddress source) {
        String address = source.getHostAddress();
        return "IF=$(ip -o -4 addr show | awk -v a=" + address
                + " '{split($4, p, \"/\"); if (p[1] == a) { sub(/@.*/, \"\", $2); print $2; exit } }')\n"
                + "[ -n \"$IF\" ] || { echo 'no interface has address " + address + "' >&2; exit 3; }\n";
    }

    private static String micros(Duration duration) {
        return duration.toNanos() / 1000 + "us";
    }
}
