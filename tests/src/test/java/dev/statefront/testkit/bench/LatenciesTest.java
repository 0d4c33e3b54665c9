package dev.statefront.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatenciesTest {
    @Test
    void nearestRankPercentilesOfOneToThousandMilliseconds() {
        Latencies l = new Latencies();
        for (int ms = 1000; ms >= 1; ms--) { // recorded out of order: summarize sorts
            l.record(ms * 1_000_000L);
        }
        Latencies.Summary s = l.summarize();
        assertEquals(1000, s.count());
        assertEquals(500.0, s.p50Ms());
        assertEquals(990.0, s.p99Ms());
        assertEquals(999.0, s.p999Ms());
        assertEquals(1000.0, s.maxMs());
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        long[] sorted = {1_000_000, 2_000_000, 3_000_000};
        assertEquals(2.0, Latencies.percentileMillis(sorted, 0.5)); // ceil(1.5) = 2nd
        assertEquals(3.0, Latencies.percentileMillis(sorted, 0.99)); // ceil(2.97) = 3rd
        assertEquals(1.0, Latencies.percentileMillis(sorted, 0.01)); // ceil(0.03) = 1st
        assertEquals(3.0, Latencies.percentileMillis(sorted, 1.0));
        assertEquals(7.0, Latencies.percentileMillis(new long[] {7_000_000}, 0.999));
        assertThrows(IllegalArgumentException.class, () -> Latencies.percentileMillis(sorted, 0));
    }

    @Test
    void emptyIsNotANumberAndBecomesNullInAPhaseLine() {
        Latencies.Summary s = new Latencies().summarize();
        assertEquals(0, s.count());
        assertTrue(Double.isNaN(s.p50Ms()) && Double.isNaN(s.maxMs()));
        PhaseLine line = PhaseLine.of("x", "scan");
        s.writeTo(line);
        assertEquals("{\"label\":\"x\",\"phase\":\"scan\",\"p50_ms\":null,\"p99_ms\":null,\"p999_ms\":null,"
                + "\"max_ms\":null}", line.toString());
    }

    @Test
    void mergeKeepsEverySampleOfEveryThread() {
        Latencies a = new Latencies();
        Latencies b = new Latencies();
        for (int i = 0; i < 10_000; i++) { // beyond the initial capacity
            a.record(1_000_000);
        }
        b.record(5_000_000);
        Latencies all = Latencies.merge(List.of(a, b, new Latencies()));
        assertEquals(10_001, all.size());
        assertEquals(5.0, all.summarize().maxMs());
        assertEquals(1.0, all.summarize().p999Ms());
    }
}
