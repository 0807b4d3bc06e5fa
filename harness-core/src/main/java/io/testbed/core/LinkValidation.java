package io.testbed.core;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apiguardian.api.API;

/**
 * What {@link Links#validate()} measured: one row per constrained pair of machines, declared against measured.
 *
 * @param probes how many pings each pair got
 * @param rows   one row per pair, in the order of the machines
 */
@API(status = API.Status.EXPERIMENTAL)
public record LinkValidation(int probes, List<Row> rows) {

    /** Pings per pair unless told otherwise: enough for a stable median, few enough for slow machines. */
    public static final int DEFAULT_PROBES = 50;

    public LinkValidation {
        rows = List.copyOf(rows);
    }

    /**
     * One pair.
     *
     * @param from             the sender (the machine that pinged)
     * @param to               the receiver
     * @param network          the network measured on
     * @param declaredRtt      the round trip the constraints add (delay there plus delay back)
     * @param measuredRttMs    the median round trip measured, in milliseconds, or NaN when every probe was lost
     * @param declaredLoss     the loss of a round trip the constraints give, in percent
     * @param measuredLoss     the share of probes lost, in percent
     * @param declaredRateBits the rate declared from sender to receiver (0: unlimited, not measured)
     * @param measuredRateBits the rate measured with a transfer, or empty when no rate was declared
     */
    public record Row(
            String from,
            String to,
            String network,
            Duration declaredRtt,
            double measuredRttMs,
            double declaredLoss,
            double measuredLoss,
            long declaredRateBits,
            OptionalDouble measuredRateBits) {

        /** Whether the measured values lie within {@code tolerance} of the declared ones. */
        public boolean within(Tolerance tolerance) {
            double declaredMs = declaredRtt.toNanos() / 1e6;
            boolean rtt = !Double.isNaN(measuredRttMs)
                    && measuredRttMs >= declaredMs * (1 - tolerance.delayShare())
                    && measuredRttMs <= declaredMs * (1 + tolerance.delayShare()) + tolerance.baseRttMs();
            boolean loss = Math.abs(measuredLoss - declaredLoss) <= tolerance.lossPoints();
            boolean rate = measuredRateBits.isEmpty()
                    || Math.abs(measuredRateBits.getAsDouble() - declaredRateBits)
                            <= declaredRateBits * tolerance.rateShare();
            return rtt && loss && rate;
        }
    }

    /**
     * How far a measurement may be from what was declared.
     *
     * @param delayShare share of the declared round trip, e.g. 0.10
     * @param baseRttMs  the round trip of the raw network, allowed on top (virtual machines under emulation add
     *                   milliseconds)
     * @param lossPoints percentage points of loss
     * @param rateShare  share of the declared rate, e.g. 0.15
     */
    public record Tolerance(double delayShare, double baseRttMs, double lossPoints, double rateShare) {
        /** ±10 % of the delay plus 10 ms of raw round trip, ±3 points of loss, ±15 % of the rate. */
        public static final Tolerance DEFAULT = new Tolerance(0.10, 10, 3, 0.15);
    }

    /** The rows outside {@code tolerance}. */
    public List<Row> outside(Tolerance tolerance) {
        return rows.stream().filter(r -> !r.within(tolerance)).toList();
    }

    /** The table as text, one line per pair, for logs and failure messages. */
    public String render() {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "%-12s %-12s %-10s %10s %10s %8s %8s %12s %12s%n",
                "from",
                "to",
                "network",
                "rtt decl",
                "rtt meas",
                "loss dec",
                "loss mea",
                "rate decl",
                "rate meas"));
        for (Row r : rows) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-12s %-12s %-10s %8.1fms %8.1fms %7.2f%% %7.2f%% %12s %12s%n",
                    r.from(),
                    r.to(),
                    r.network(),
                    r.declaredRtt().toNanos() / 1e6,
                    r.measuredRttMs(),
                    r.declaredLoss(),
                    r.measuredLoss(),
                    r.declaredRateBits() == 0 ? "-" : LinkConstraint.formatRate(r.declaredRateBits()),
                    r.measuredRateBits().isEmpty()
                            ? "-"
                            : LinkConstraint.formatRate(
                                    Math.round(r.measuredRateBits().getAsDouble()))));
        }
        return b.toString();
    }
}
