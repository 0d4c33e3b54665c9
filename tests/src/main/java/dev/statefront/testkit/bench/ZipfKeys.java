package dev.statefront.testkit.bench;

import java.util.SplittableRandom;

/**
 * Draws the shared bench's customer keys {@code c-1 .. c-n} with a Zipf law: rank {@code k} has probability
 * {@code k^-s / H(n, s)}, so {@code c-1} is the hottest key (about 8% of draws for n = 100,000 and s = 1.0, as in
 * the bench's Gen and Probe). Sampling inverts the cumulative weights by binary search: O(log n) per key after an
 * O(n) table built once. Immutable and thread-safe; each thread brings its own random source.
 */
public final class ZipfKeys {
    private final double[] cumulative;

    /**
     * @param keys     how many ranks (customers), at least 1
     * @param exponent the Zipf exponent {@code s}, at least 0 (0 is uniform)
     */
    public ZipfKeys(int keys, double exponent) {
        if (keys < 1 || exponent < 0 || Double.isNaN(exponent)) {
            throw new IllegalArgumentException("need keys >= 1 and exponent >= 0, got " + keys + ", " + exponent);
        }
        cumulative = new double[keys];
        double sum = 0;
        for (int rank = 1; rank <= keys; rank++) {
            sum += Math.pow(rank, -exponent);
            cumulative[rank - 1] = sum;
        }
    }

    /** How many ranks there are. */
    public int size() {
        return cumulative.length;
    }

    /** The probability of drawing {@code rank} (1-based). */
    public double probability(int rank) {
        double below = rank == 1 ? 0 : cumulative[rank - 2];
        return (cumulative[rank - 1] - below) / cumulative[cumulative.length - 1];
    }

    /** A rank in {@code 1 .. size()}; rank 1 is the most likely. */
    public int nextRank(SplittableRandom random) {
        double target = random.nextDouble() * cumulative[cumulative.length - 1];
        // smallest index whose cumulative weight exceeds the target
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo + 1;
    }

    /** A customer key, {@code "c-" + rank}. */
    public String nextKey(SplittableRandom random) {
        return customerKey(nextRank(random));
    }

    /** The bench's key of a customer rank. */
    public static String customerKey(int rank) {
        return "c-" + rank;
    }
}
