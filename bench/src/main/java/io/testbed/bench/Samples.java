package io.testbed.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Measured values of one quantity, in the order taken; median, minimum and maximum. Not thread-safe. */
final class Samples {

    private final List<Double> values = new ArrayList<>();

    static Samples of(double... values) {
        Samples samples = new Samples();
        for (double value : values) {
            samples.add(value);
        }
        return samples;
    }

    Samples add(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("a sample must be a finite number, was " + value);
        }
        values.add(value);
        return this;
    }

    int size() {
        return values.size();
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** The values in the order they were taken. */
    List<Double> values() {
        return List.copyOf(values);
    }

    /** The middle value; the mean of the two middle values for an even count. */
    double median() {
        List<Double> sorted = sorted();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return sorted().get(0);
    }

    double max() {
        List<Double> sorted = sorted();
        return sorted.get(sorted.size() - 1);
    }

    private List<Double> sorted() {
        if (values.isEmpty()) {
            throw new IllegalStateException("no samples were taken");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted;
    }
}
