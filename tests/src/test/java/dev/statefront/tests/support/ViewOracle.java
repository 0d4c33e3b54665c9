package dev.statefront.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.Position;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.ViewRow;
import dev.statefront.testkit.Oracle;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Compares the demo views a state server serves with the oracle of the orders produced, row by row. */
public final class ViewOracle {
    private ViewOracle() {
    }

    /**
     * Waits (bounded) until {@code customer_stats} reflects {@code produced}, then compares every row and the row
     * count.
     */
    public static void assertCustomerStats(StateServer server, Position produced, Oracle oracle) {
        List<ViewRow> rows = scanAt(server, "customer_stats", produced);
        Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
        assertEquals(expected.size(), rows.size(), "row count");
        for (ViewRow r : rows) {
            Object[] row = r.row();
            Oracle.CustomerStats e = expected.get((String) row[0]);
            assertTrue(e != null, "unexpected row " + row[0]);
            assertEquals(List.of(e.orderCount(), e.totalCents(), e.maxCents(), e.lastTs()),
                    List.of(number(row[1]), number(row[2]), number(row[3]), number(row[4])), e.customerId());
        }
        assertEquals(expected.size(),
                server.describe("customer_stats", ReadOptions.NOW).value().rowCount(), "stored row count");
    }

    /** Waits (bounded) until {@code region_status} reflects {@code produced}, then compares every row. */
    public static void assertRegionStatus(StateServer server, Position produced, Oracle oracle) {
        List<ViewRow> rows = scanAt(server, "region_status", produced);
        Map<String, Oracle.RegionStatus> expected = oracle.regionStatus();
        assertEquals(expected.size(), rows.size(), "row count");
        for (ViewRow r : rows) {
            Object[] row = r.row();
            Oracle.RegionStatus e = expected.get(row[0] + "|" + row[1]);
            assertTrue(e != null, "unexpected row " + row[0] + "/" + row[1]);
            assertEquals(e.n(), number(row[2]), "n of " + e.region() + "/" + e.status());
            assertEquals(e.avgCents(), ((Number) row[3]).doubleValue(), 0.0, "avg of " + e.region() + "/" + e.status());
        }
    }

    private static List<ViewRow> scanAt(StateServer server, String view, Position produced) {
        ReadOptions caughtUp = ReadOptions.NOW.withMinPosition(produced).withWaitTimeout(Duration.ofSeconds(5));
        long deadline = System.currentTimeMillis() + 120_000;
        ReadResult<List<ViewRow>> rows;
        do {
            rows = server.scan(view, null, null, 1_000_000, caughtUp);
        } while (rows.status() != ReadStatus.OK && System.currentTimeMillis() < deadline);
        assertEquals(ReadStatus.OK, rows.status(), view + ": " + rows.message());
        return rows.value();
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }
}
