package dev.statefront.processor.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.statefront.processor.plan.GroupState;
import dev.statefront.processor.plan.ViewPlan;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Runs source rows through planned views the way the runtime does, with an in-memory map of group states. */
class AggregatingViewTest {
    private static final String ORDERS = """
            CREATE TABLE orders (order_id VARCHAR PRIMARY KEY, customer_id VARCHAR, region VARCHAR,
                                 amount_cents BIGINT, status VARCHAR, price DECIMAL(8,2));
            """;

    /** A tiny runtime: group states by key, through toBytes/groupStateFromBytes on every update. */
    private static final class Harness {
        final ViewPlan view;
        final Map<List<Object>, byte[]> groups = new HashMap<>();

        Harness(ViewPlan view) {
            this.view = view;
        }

        void apply(Object[] row, boolean add) {
            if (!view.filter(row)) {
                return;
            }
            List<Object> key = Arrays.asList(view.groupKey(row));
            byte[] bytes = groups.get(key);
            GroupState state = bytes == null ? view.newGroupState() : view.groupStateFromBytes(bytes);
            if (add) {
                state.add(view.aggregateInputs(row));
            } else {
                state.retract(view.aggregateInputs(row));
            }
            if (state.rowCount() == 0) {
                groups.remove(key);
            } else {
                groups.put(key, state.toBytes());
            }
        }

        Map<String, List<Object>> rows() {
            Map<String, List<Object>> out = new TreeMap<>();
            groups.forEach((key, bytes) -> {
                Object[] row = view.finish(key.toArray(), view.groupStateFromBytes(bytes).results());
                if (row != null) {
                    out.put(String.valueOf(key), Arrays.asList(row));
                }
            });
            return out;
        }
    }

    private static Object[] order(String id, String customer, String region, Long cents, String status, String price) {
        return new Object[] {id, customer, region, cents, status, price == null ? null : new BigDecimal(price)};
    }

    @Test
    void shouldAggregateWithWhereHavingAndRetraction() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW big_customers AS
                  SELECT customer_id, COUNT(*) AS n, SUM(amount_cents) AS total, MAX(amount_cents) AS biggest,
                         AVG(price) AS avg_price, COUNT(DISTINCT region) AS regions
                  FROM orders WHERE status <> 'cancelled'
                  GROUP BY customer_id HAVING SUM(amount_cents) >= 100
                """).views().get(0);
        Harness h = new Harness(view);
        Object[] a = order("o1", "c1", "eu", 60L, "placed", "1.00");
        Object[] b = order("o2", "c1", "us", 50L, "placed", "2.00");
        Object[] c = order("o3", "c1", "eu", 500L, "cancelled", "3.00");
        Object[] d = order("o4", "c2", "eu", 10L, "placed", null);
        for (Object[] r : List.of(a, b, c, d)) {
            h.apply(r, true);
        }
        assertEquals(Map.of("[c1]", List.of("c1", 2L, 110L, 60L, new BigDecimal("1.500000"), 2L)), h.rows());
        h.apply(a, false); // retract the max: total 50 fails HAVING
        assertEquals(Map.of(), h.rows());
        h.apply(order("o1", "c1", "us", 70L, "placed", "4.00"), true);
        assertEquals(Map.of("[c1]", List.of("c1", 2L, 120L, 70L, new BigDecimal("3.000000"), 1L)), h.rows());
        assertNull(view.finish(new Object[] {"c2"}, new Object[] {1L, 10L, 10L, null, 1L}));
    }

    @Test
    void shouldFilterAggregateInputsWithFilterClause() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW per_region AS
                  SELECT region, COUNT(*) AS n, COUNT(*) FILTER (WHERE status = 'placed') AS placed,
                         SUM(amount_cents) FILTER (WHERE status = 'placed') AS placed_cents
                  FROM orders GROUP BY region
                """).views().get(0);
        Harness h = new Harness(view);
        h.apply(order("o1", "c1", "eu", 10L, "placed", null), true);
        h.apply(order("o2", "c1", "eu", 20L, "cancelled", null), true);
        h.apply(order("o3", "c2", null, 5L, "placed", null), true);
        assertEquals(Map.of("[eu]", List.of("eu", 2L, 1L, 10L), "[null]", Arrays.asList(null, 1L, 1L, 5L)),
                h.rows());
    }

    @Test
    void shouldComputeExpressionsOverAggregatesAndGroupByExpressions() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW v AS
                  SELECT UPPER(region) AS region, SUM(amount_cents) / COUNT(*) AS mean_floor,
                         CASE WHEN COUNT(*) > 1 THEN 'many' ELSE 'one' END AS how_many,
                         MIN(amount_cents) + MAX(amount_cents) AS spread
                  FROM orders GROUP BY UPPER(region)
                """).views().get(0);
        assertEquals(List.of("region"), view.schema().keyColumnNames());
        Harness h = new Harness(view);
        h.apply(order("o1", "c1", "eu", 10L, "placed", null), true);
        h.apply(order("o2", "c1", "EU", 25L, "placed", null), true);
        h.apply(order("o3", "c1", "us", 7L, "placed", null), true);
        assertEquals(Map.of("[EU]", List.of("EU", 17L, "many", 35L), "[US]", List.of("US", 7L, "one", 14L)),
                h.rows());
    }

    @Test
    void shouldHaveTheSameKeyInGroupKeyAndFinishedRow() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW v AS SELECT COUNT(*) AS n, status, region FROM orders GROUP BY region, status
                """).views().get(0);
        Object[] row = order("o1", "c1", "eu", 10L, "placed", null);
        Object[] key = view.groupKey(row);
        GroupState state = view.newGroupState();
        state.add(view.aggregateInputs(row));
        Object[] out = view.finish(key, state.results());
        assertArrayEquals(key, view.schema().keyOf(out));
        assertEquals(List.of(1L, "placed", "eu"), Arrays.asList(out));
    }
}
