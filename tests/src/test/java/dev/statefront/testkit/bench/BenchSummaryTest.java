package dev.statefront.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** From a results document shaped like the shared bench Report's output (meta, raw phases, medians). */
class BenchSummaryTest {
    private static final String RESULTS = """
            {"meta": {"stamp": "20260101T000000Z", "repeats": "2"},
             "phases": [
              {"label":"kafka","phase":"produce","records":200004,"events_per_s":300000},
              {"label":"statefront","phase":"catchup","ok":true,"events_per_s":80000,"events_per_s_after_first":100000},
              {"label":"statefront","phase":"lookup","qps":20000,"p99_ms":2.0},
              {"label":"statefront","phase":"freshness","p50_ms":20.0,"p99_ms":40.0},
              {"label":"statefront","phase":"grpc_lookup","qps":30000,"p99_ms":1.5,"errors":0},
              {"label":"statefront","phase":"scan","pages_per_s":900.5,"p50_ms":2.0,"p99_ms":5.0,"p999_ms":9.0},
              {"label":"statefront","phase":"freshness_half","bg_rate":50000,"p50_ms":30.0,"p99_ms":80.0},
              {"label":"statefront","phase":"memory","peak_rss_mb":1000.0,"rss_mb":900.0},
              {"label":"streams-eos","phase":"catchup","ok":true,"events_per_s":40000,"events_per_s_after_first":50000},
              {"label":"streams-eos","phase":"lookup","qps":10000,"p99_ms":4.0},
              {"label":"streams-eos","phase":"freshness","p50_ms":100.0,"p99_ms":200.0},
              {"label":"streams-eos","phase":"scan","pages_per_s":1800,"p50_ms":1.0,"p99_ms":5.0,"p999_ms":9.0},
              {"label":"streams-eos","phase":"freshness_half","skipped":"no catch-up rate"},
              {"label":"streams-eos","phase":"memory","peak_rss_mb":500.0},
              {"label":"statefront","phase":"catchup","ok":true,"events_per_s":60000,"events_per_s_after_first":80000},
              {"label":"statefront","phase":"lookup","qps":22000,"p99_ms":3.0},
              {"label":"pg","phase":"catchup","ok":true,"events_per_s":0,"events_per_s_after_first":0}
             ],
             "medians": {}, "table": ""}
            """;

    private static BenchSummary.Row row(BenchSummary.Summary s, String metric) {
        return s.rows().stream().filter(r -> r.metric().name().equals(metric)).findFirst().orElseThrow();
    }

    private static BenchSummary.Summary summary() throws Exception {
        return BenchSummary.compute(PhaseLine.JSON.readTree(RESULTS), "statefront");
    }

    @Test
    void peersAreTheOtherSystemsWithACatchUpPhase() throws Exception {
        assertEquals(List.of("streams-eos", "pg"), summary().peers());
    }

    @Test
    void mediansOverRunsFromTheRawPhases() throws Exception {
        BenchSummary.Summary s = summary();
        assertEquals(90_000.0, s.medians().get("statefront/catchup").get("events_per_s_after_first"));
        assertEquals(2.0, s.medians().get("statefront/catchup").get("runs"));
        assertEquals(2.5, s.medians().get("statefront/lookup").get("p99_ms"));
        assertEquals("no catch-up rate", s.notes().get("streams-eos/freshness_half").get("skipped"));
        assertEquals(3.0, BenchSummary.median(List.of(5.0, 1.0, 3.0)));
    }

    @Test
    void ratiosAreStatefrontOverPeerWithTheMetricsDirection() throws Exception {
        BenchSummary.Summary s = summary();
        BenchSummary.Comparison catchup = row(s, "catch-up steady (ev/s, after first)").peers().get(0);
        assertEquals("streams-eos", catchup.peer());
        assertEquals(1.8, catchup.ratio(), 1e-9); // 90000 / 50000, higher is better
        assertTrue(catchup.sutBetter());

        BenchSummary.Comparison p99 = row(s, "REST lookup p99 (ms)").peers().get(0);
        assertEquals(0.625, p99.ratio(), 1e-9); // 2.5 / 4.0, lower is better
        assertTrue(p99.sutBetter());

        BenchSummary.Comparison grpc = row(s, "gRPC QPS vs peer REST QPS").peers().get(0);
        assertEquals(3.0, grpc.ratio(), 1e-9); // Statefront's gRPC 30000 vs the peer's REST 10000
        assertTrue(grpc.sutBetter());

        BenchSummary.Comparison scan = row(s, "scan 100-row page p50 (ms)").peers().get(0);
        assertEquals(2.0, scan.ratio(), 1e-9);
        assertFalse(scan.sutBetter()); // slower pages
        assertNull(row(s, "scan 100-row page p99 (ms)").peers().get(0).sutBetter()); // a tie favours nobody

        assertEquals(2.0, row(s, "peak RSS (MB)").peers().get(0).ratio(), 1e-9);
        assertFalse(row(s, "peak RSS (MB)").peers().get(0).sutBetter());
    }

    @Test
    void missingAndZeroValuesGiveNoRatio() throws Exception {
        BenchSummary.Summary s = summary();
        BenchSummary.Comparison skipped = row(s, "freshness at half load p50 (ms)").peers().get(0);
        assertNull(skipped.value());
        assertNull(skipped.ratio());
        BenchSummary.Comparison pg = row(s, "catch-up steady (ev/s, after first)").peers().get(1);
        assertEquals(0.0, pg.value());
        assertNull(pg.ratio()); // a failed catch-up (0 ev/s) is no denominator
        assertNull(row(s, "half-load rate offered (ev/s)").peers().get(0).sutBetter()); // context only
    }

    @Test
    void rendersTablesAndJson() throws Exception {
        BenchSummary.Summary s = summary();
        String ratios = BenchSummary.renderRatios(s);
        assertTrue(ratios.contains("1.80x better"), ratios);
        assertTrue(ratios.contains("0.62x better") || ratios.contains("0.63x better"), ratios);
        String extra = BenchSummary.renderExtraPhases(s);
        assertTrue(extra.contains("grpc_lookup") && extra.contains("qps=30000"), extra);
        assertTrue(extra.contains("skipped=\"no catch-up rate\""), extra);
        assertFalse(extra.contains(" lookup "), extra); // Report's own phases are not repeated

        JsonNode json = BenchSummary.toJson(s);
        JsonNode first = json.path("metrics").get(0);
        assertEquals("higher", first.path("better").asText());
        assertEquals(90_000.0, first.path("statefront").asDouble());
        assertEquals(1.8, first.path("peers").path("streams-eos").path("ratio").asDouble(), 1e-9);
        assertTrue(first.path("peers").path("pg").path("ratio").isNull());
        assertEquals(List.of("streams-eos", "pg"), List.of(json.path("peers").get(0).asText(),
                json.path("peers").get(1).asText()));
    }

    @Test
    void tableNumbers() {
        assertEquals("-", BenchSummary.number(null));
        assertEquals("12345", BenchSummary.number(12345.0));
        assertEquals("901", BenchSummary.number(900.5));
        assertEquals("12.3", BenchSummary.number(12.34));
        assertEquals("0.625", BenchSummary.number(0.625));
    }
}
