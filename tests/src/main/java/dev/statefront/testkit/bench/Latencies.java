package dev.statefront.testkit.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * Request latencies of one client thread (not thread-safe), kept exactly in a growable array and summarized with
 * nearest-rank percentiles: the p-th percentile of n sorted samples is sample number {@code ceil(p * n)} (1-based),
 * the definition the shared bench's Probe uses, so the numbers compare with its lookup phase.
 */
public final class Latencies {
    private long[] nanos = new long[1 << 12];
    private int size;

    /** Adds one latency in nanoseconds. */
    public void record(long latencyNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = latencyNanos;
    }

    /** How many latencies were recorded. */
    public int size() {
        return size;
    }

    /** All latencies of several recorders in one. */
    public static Latencies merge(Collection<Latencies> parts) {
        Latencies all = new Latencies();
        int total = parts.stream().mapToInt(Latencies::size).sum();
        all.nanos = new long[Math.max(1, total)];
        for (Latencies p : parts) {
            System.arraycopy(p.nanos, 0, all.nanos, all.size, p.size);
            all.size += p.size;
        }
        return all;
    }

    /** Percentiles and maximum in milliseconds; NaN when nothing was recorded. */
    public Summary summarize() {
        long[] sorted = Arrays.copyOf(nanos, size);
        Arrays.sort(sorted);
        return new Summary(size, percentileMillis(sorted, 0.50), percentileMillis(sorted, 0.99),
                percentileMillis(sorted, 0.999), size == 0 ? Double.NaN : sorted[size - 1] / 1e6);
    }

    /** The nearest-rank {@code quantile} (0 < q <= 1) of ascending nanosecond samples, in ms; NaN if empty. */
    public static double percentileMillis(long[] sortedNanos, double quantile) {
        if (quantile <= 0 || quantile > 1) {
            throw new IllegalArgumentException("quantile must be in (0, 1], got " + quantile);
        }
        int n = sortedNanos.length;
        if (n == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(quantile * n); // 1-based
        return sortedNanos[Math.max(1, Math.min(n, rank)) - 1] / 1e6;
    }

    /**
     * A latency summary.
     *
     * @param count  samples
     * @param p50Ms  median, ms
     * @param p99Ms  99th percentile, ms
     * @param p999Ms 99.9th percentile, ms
     * @param maxMs  largest sample, ms
     */
    public record Summary(long count, double p50Ms, double p99Ms, double p999Ms, double maxMs) {
        /** Adds {@code p50_ms}, {@code p99_ms}, {@code p999_ms} and {@code max_ms} to a phase line. */
        public void writeTo(PhaseLine line) {
            line.millis("p50_ms", p50Ms).millis("p99_ms", p99Ms).millis("p999_ms", p999Ms).millis("max_ms", maxMs);
        }
    }
}
