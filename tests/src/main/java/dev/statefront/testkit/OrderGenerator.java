package dev.statefront.testkit;

import java.util.Random;

/**
 * Deterministic order workload: same seed, same orders. Customers {@code c-1..c-N} with a Zipf-like rank
 * distribution (c-1 hottest), 8 regions, 95% placed, amounts 100..100000, event time increasing with jitter.
 */
public final class OrderGenerator {
    public static final String[] REGIONS = {"eu-west", "eu-north", "us-east", "us-west", "ap-south", "ap-east",
        "sa-east", "af-south"};

    private final Random random;
    private final int customers;
    private final double[] cumulative;
    private long seq;

    /**
     * A generator.
     *
     * @param seed the random seed
     * @param customers how many distinct customers
     */
    public OrderGenerator(long seed, int customers) {
        this.random = new Random(seed);
        this.customers = customers;
        this.cumulative = new double[customers];
        double sum = 0;
        for (int i = 0; i < customers; i++) {
            sum += 1.0 / (i + 1);
            cumulative[i] = sum;
        }
        for (int i = 0; i < customers; i++) {
            cumulative[i] /= sum;
        }
    }

    /** The next order. */
    public Order next() {
        long n = seq++;
        double u = random.nextDouble();
        int lo = 0;
        int hi = customers - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        String customer = "c-" + (lo + 1);
        String region = REGIONS[random.nextInt(REGIONS.length)];
        long amount = 100 + random.nextInt(99_901);
        String status = random.nextInt(100) < 95 ? "placed" : "cancelled";
        long ts = 1_700_000_000_000L + n * 10 - random.nextInt(500);
        return new Order(String.format("o-%012d", n), customer, region, amount, status, ts);
    }
}
