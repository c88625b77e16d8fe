package dev.ordinal.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of a list of samples (milliseconds). */
final class Stats {
    private final List<Double> sorted;

    Stats(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
    }

    int count() {
        return sorted.size();
    }

    /** The smallest sample with at least {@code p} percent of the samples at or below it. */
    double percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    double p50() {
        return percentile(50);
    }

    double max() {
        return sorted.get(sorted.size() - 1);
    }
}
