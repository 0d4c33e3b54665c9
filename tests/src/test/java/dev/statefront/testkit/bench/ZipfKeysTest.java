package dev.statefront.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfKeysTest {
    private static final int CUSTOMERS = 100_000;

    @Test
    void probabilitiesFollowOneOverRank() {
        ZipfKeys z = new ZipfKeys(CUSTOMERS, 1.0);
        double harmonic = 0;
        for (int k = 1; k <= CUSTOMERS; k++) {
            harmonic += 1.0 / k;
        }
        assertEquals(1 / harmonic, z.probability(1), 1e-12);
        assertEquals(0.0830, z.probability(1), 0.0005); // the bench's "c-1 is ~8% of events"
        assertEquals(z.probability(1) / 10, z.probability(10), 1e-12);
        double total = 0;
        for (int k = 1; k <= CUSTOMERS; k++) {
            total += z.probability(k);
        }
        assertEquals(1.0, total, 1e-9);
    }

    @Test
    void drawsMatchTheProbabilities() {
        ZipfKeys z = new ZipfKeys(CUSTOMERS, 1.0);
        SplittableRandom r = new SplittableRandom(1);
        int draws = 400_000;
        int[] hits = new int[CUSTOMERS + 1];
        for (int i = 0; i < draws; i++) {
            int rank = z.nextRank(r);
            assertTrue(rank >= 1 && rank <= CUSTOMERS, "rank " + rank);
            hits[rank]++;
        }
        for (int rank : new int[] {1, 2, 10, 100}) {
            double expected = z.probability(rank) * draws;
            // within 5 standard deviations of a binomial count
            assertEquals(expected, hits[rank], 5 * Math.sqrt(expected), "rank " + rank);
        }
        int top100 = 0;
        for (int k = 1; k <= 100; k++) {
            top100 += hits[k];
        }
        assertEquals(0.43, top100 / (double) draws, 0.01); // H(100) / H(100000) = 5.19 / 12.09
    }

    @Test
    void keysAreTheBenchCustomerIdsAndDeterministicPerSeed() {
        ZipfKeys z = new ZipfKeys(CUSTOMERS, 1.0);
        SplittableRandom a = new SplittableRandom(42);
        SplittableRandom b = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            String key = z.nextKey(a);
            assertEquals(key, z.nextKey(b));
            assertTrue(key.matches("c-[1-9][0-9]*"), key);
        }
    }

    @Test
    void edgeCases() {
        ZipfKeys one = new ZipfKeys(1, 1.0);
        assertEquals(1, one.nextRank(new SplittableRandom(3)));
        assertEquals(1.0, one.probability(1));
        ZipfKeys uniform = new ZipfKeys(4, 0.0);
        assertEquals(0.25, uniform.probability(3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new ZipfKeys(0, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new ZipfKeys(10, -1));
    }
}
