package io.testbed.bench;

import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Percentile bootstrap of a median: resamples the values with replacement {@value #RESAMPLES} times, takes each
 * resample's median, and returns the 2.5th and 97.5th percentiles of those medians (a 95 % interval). The
 * generator is seeded, so the same samples always give the same interval.
 *
 * <p>Written here rather than taken from a library: commons-math3 gives the percentiles and the generator, but no
 * bootstrap; the resampling loop is a few lines.
 */
final class Bootstrap {

    /** How many resamples: enough for stable 2.5 % tails. */
    static final int RESAMPLES = 10_000;
    /** The interval's coverage. */
    static final double CONFIDENCE = 0.95;

    private static final long SEED = 20_261_207L;

    /**
     * An interval with its point estimate.
     *
     * @param median the median of the values
     * @param low    the interval's lower end
     * @param high   the interval's upper end
     */
    record Interval(double median, double low, double high) {
        Interval {
            if (!(low <= median && median <= high)) {
                throw new IllegalArgumentException(
                        "interval [" + low + ", " + high + "] must hold its median " + median);
            }
        }
    }

    private Bootstrap() {}

    /**
     * The median of {@code values} and its 95 % bootstrap interval.
     *
     * @throws IllegalArgumentException when there are no values
     */
    static Interval medianInterval(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a bootstrap interval needs at least one value");
        }
        double[] data = values.stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(data);
        RandomGenerator random = new Well19937c(SEED);
        double[] medians = new double[RESAMPLES];
        double[] resample = new double[data.length];
        for (int r = 0; r < RESAMPLES; r++) {
            for (int i = 0; i < data.length; i++) {
                resample[i] = data[random.nextInt(data.length)];
            }
            medians[r] = median(resample);
        }
        Percentile percentile = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        double tail = (1 - CONFIDENCE) / 2 * 100;
        double low = Math.min(median, percentile.evaluate(medians, tail));
        double high = Math.max(median, percentile.evaluate(medians, 100 - tail));
        return new Interval(median, low, high);
    }

    /** The middle value; the mean of the two middle values for an even count. */
    static double median(double[] values) {
        return new Percentile()
                .withEstimationType(Percentile.EstimationType.R_7)
                .evaluate(values, 50);
    }
}
