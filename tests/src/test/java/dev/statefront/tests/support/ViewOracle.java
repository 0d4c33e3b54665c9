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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Compares the demo views a state server serves with the oracle of the orders produced, row by row. */
public final class ViewOracle {
    private ViewOracle() {
    }

    /** Waits (bounded) until {@code customer_stats} reflects {@code produced}, then compares every row. */
    public static void assertCustomerStats(StateServer server, Position produced, Oracle oracle) {
        assertRows(server, "customer_stats", produced, oracle.customerStats(), row -> (String) row[0],
                (e, row) -> assertEquals(List.of(e.orderCount(), e.totalCents(), e.maxCents(), e.lastTs()),
                        List.of(number(row[1]), number(row[2]), number(row[3]), number(row[4])), e.customerId()));
    }

    /** Waits (bounded) until {@code region_status} reflects {@code produced}, then compares every row. */
    public static void assertRegionStatus(StateServer server, Position produced, Oracle oracle) {
        assertRows(server, "region_status", produced, oracle.regionStatus(), row -> row[0] + "|" + row[1],
                (e, row) -> {
                    String group = e.region() + "/" + e.status();
                    assertEquals(e.n(), number(row[2]), "n of " + group);
                    assertEquals(e.avgCents(), ((Number) row[3]).doubleValue(), 0.0, "avg of " + group);
                });
    }

    /**
     * Every row of {@code view} at {@code produced} has its expected row ({@code keyOf} names it) and matches it,
     * and the view holds as many rows as expected, in the scan and in the store's count.
     */
    private static <E> void assertRows(StateServer server, String view, Position produced, Map<String, E> expected,
                                       Function<Object[], String> keyOf, BiConsumer<E, Object[]> matches) {
        List<ViewRow> rows = scanAt(server, view, produced);
        assertEquals(expected.size(), rows.size(), view + " row count");
        for (ViewRow r : rows) {
            E e = expected.get(keyOf.apply(r.row()));
            assertTrue(e != null, view + ": unexpected row " + Arrays.toString(r.row()));
            matches.accept(e, r.row());
        }
        assertEquals(expected.size(), server.describe(view, ReadOptions.NOW).value().rowCount(),
                view + " stored row count");
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
