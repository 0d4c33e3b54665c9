package dev.statefront.processor.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.plan.ViewPlan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlPlannerTest {
    static final String ORDERS = """
            CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, region VARCHAR,
                                  amount_cents BIGINT, status VARCHAR, ts TIMESTAMP)
              WITH (topic = 'orders', format = 'json', timestamp = 'ts', key = 'customer_id');
            """;
    static final String SCRIPT = ORDERS + """
            CREATE MATERIALIZED VIEW customer_stats AS
              SELECT customer_id, COUNT(*) AS order_count, SUM(amount_cents) AS total_cents,
                     MAX(amount_cents) AS max_cents, MAX(ts) AS last_ts
              FROM orders WHERE status = 'placed' GROUP BY customer_id;
            CREATE MATERIALIZED VIEW region_status AS
              SELECT region, status, COUNT(*) AS n, AVG(amount_cents) AS avg_cents
              FROM orders GROUP BY region, status;
            """;

    @Test
    void shouldPlanTheSourceWithItsOptions() {
        Program program = SqlPlanner.plan(SCRIPT);
        assertEquals(1, program.sources().size());
        SourceDefinition orders = program.sources().get(0);
        assertEquals("orders", orders.name());
        assertEquals("orders", orders.topic());
        assertEquals("json", orders.format());
        assertEquals("ts", orders.timestampColumn());
        assertEquals(List.of("customer_id"), orders.keyColumns());
        assertFalse(orders.table());
        assertEquals(List.of(new Column("order_id", ColumnType.VARCHAR), new Column("customer_id", ColumnType.VARCHAR),
                new Column("region", ColumnType.VARCHAR), new Column("amount_cents", ColumnType.BIGINT),
                new Column("status", ColumnType.VARCHAR), new Column("ts", ColumnType.TIMESTAMP)), orders.columns());
        assertEquals(Map.of("topic", "orders", "format", "json", "timestamp", "ts", "key", "customer_id"),
                orders.options());
        assertTrue(orders.sql().startsWith("CREATE SOURCE orders"));
        assertFalse(orders.sql().endsWith(";"));
    }

    /** Columns by name, for {@link ViewPlan#sourceColumnsRead()}. */
    private static List<String> read(ViewPlan view) {
        return view.sourceColumnsRead().stream().mapToObj(i -> view.source().columns().get(i).name()).toList();
    }

    @Test
    void shouldKnowWhichSourceColumnsAViewReads() {
        List<ViewPlan> views = SqlPlanner.plan(SCRIPT).views();
        // customer_stats: key, aggregate arguments, WHERE, plus the event-time column; not order_id nor region
        assertEquals(List.of("customer_id", "amount_cents", "status", "ts"), read(views.get(0)));
        // region_status: GROUP BY columns and AVG's argument, plus the source key and event time
        assertEquals(List.of("customer_id", "region", "amount_cents", "status", "ts"), read(views.get(1)));
        ViewPlan projection = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW big AS SELECT customer_id, UPPER(region) AS r FROM orders
                  WHERE amount_cents > 100;
                """).views().get(0);
        assertEquals(List.of("customer_id", "region", "amount_cents", "ts"), read(projection));
        ViewPlan filtered = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW placed AS SELECT customer_id, COUNT(*) FILTER (WHERE order_id <> '') AS n
                  FROM orders GROUP BY customer_id;
                """).views().get(0);
        assertEquals(List.of("order_id", "customer_id", "ts"), read(filtered));
    }

    @Test
    void shouldPlanCustomerStatsKeyedByCustomerAndCopartitioned() {
        ViewPlan view = SqlPlanner.plan(SCRIPT).views().get(0);
        assertEquals("customer_stats", view.name());
        assertTrue(view.isAggregate());
        assertTrue(view.isCopartitioned());
        assertEquals("orders", view.source().name());
        assertEquals(List.of(new Column("customer_id", ColumnType.VARCHAR), new Column("order_count", ColumnType.BIGINT),
                new Column("total_cents", ColumnType.BIGINT), new Column("max_cents", ColumnType.BIGINT),
                new Column("last_ts", ColumnType.TIMESTAMP)), view.schema().columns());
        assertEquals(List.of("customer_id"), view.schema().keyColumnNames());
        assertEquals(List.of(ColumnType.VARCHAR), view.groupKeyTypes());
        assertEquals(List.of(ColumnType.BOOLEAN, ColumnType.BIGINT, ColumnType.BIGINT, ColumnType.TIMESTAMP),
                view.aggregateInputColumns().stream().map(Column::type).toList());
        assertEquals(List.of("agg0", "agg1", "agg2", "agg3"),
                view.aggregateInputColumns().stream().map(Column::name).toList());
        assertTrue(view.sql().startsWith("CREATE MATERIALIZED VIEW customer_stats AS"));
    }

    @Test
    void shouldPlanRegionStatusWithCompositeKeyInGroupByOrderAndNotCopartitioned() {
        ViewPlan view = SqlPlanner.plan(SCRIPT).views().get(1);
        assertEquals(List.of(new Column("region", ColumnType.VARCHAR), new Column("status", ColumnType.VARCHAR),
                new Column("n", ColumnType.BIGINT), new Column("avg_cents", ColumnType.DOUBLE)),
                view.schema().columns());
        assertEquals(List.of("region", "status"), view.schema().keyColumnNames());
        assertFalse(view.isCopartitioned());
    }

    @Test
    void shouldOrderTheKeyByGroupByNotBySelect() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW v AS SELECT region, status, COUNT(*) AS n FROM orders GROUP BY status, region
                """).views().get(0);
        assertEquals(List.of("status", "region"), view.schema().keyColumnNames());
        assertEquals(List.of("placed", "eu"), List.of(view.groupKey(new Object[] {"o1", "c1", "eu", 5L, "placed", 0L})));
        Object[] row = view.finish(new Object[] {"placed", "eu"}, new Object[] {3L});
        assertEquals(List.of("eu", "placed", 3L), List.of(row));
    }

    @Test
    void shouldNotBeCopartitionedWhenGroupingByAnExpressionOfTheKey() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW v AS SELECT UPPER(customer_id) AS c, COUNT(*) AS n FROM orders
                GROUP BY UPPER(customer_id)
                """).views().get(0);
        assertEquals(List.of("c"), view.schema().keyColumnNames());
        assertFalse(view.isCopartitioned());
        assertEquals("C1", view.groupKey(new Object[] {"o1", "c1", "eu", 5L, "placed", 0L})[0]);
    }

    @Test
    void shouldPlanANonAggregatingViewKeyedBySourceKey() {
        ViewPlan view = SqlPlanner.plan(ORDERS + """
                CREATE MATERIALIZED VIEW big AS SELECT amount_cents * 2 AS doubled, customer_id FROM orders
                WHERE amount_cents > 100
                """).views().get(0);
        assertFalse(view.isAggregate());
        assertTrue(view.isCopartitioned());
        assertEquals(List.of("customer_id"), view.schema().keyColumnNames());
        assertEquals(List.of(1), List.of(view.schema().keyIndex(0)));
        Object[] row = {"o1", "c1", "eu", 500L, "placed", 0L};
        assertTrue(view.filter(row));
        assertFalse(view.filter(new Object[] {"o1", "c1", "eu", 50L, "placed", 0L}));
        assertEquals(List.of(1000L, "c1"), List.of(view.project(row)));
        assertEquals(List.of("c1"), List.of(view.groupKey(row)));
    }

    @Test
    void shouldPlanATableWithCompositePrimaryKey() {
        Program program = SqlPlanner.plan("""
                CREATE TABLE customers (tenant VARCHAR, id BIGINT, name VARCHAR(40), balance DECIMAL(12, 2),
                                        PRIMARY KEY (tenant, id)) WITH (topic = 'crm.customers');
                CREATE TABLE t2 (id INT PRIMARY KEY NOT NULL, flag BOOLEAN, score DOUBLE);
                CREATE MATERIALIZED VIEW names AS SELECT tenant, id, UPPER(name) AS name FROM customers
                """);
        SourceDefinition customers = program.sources().get(0);
        assertTrue(customers.table());
        assertEquals(List.of("tenant", "id"), customers.keyColumns());
        assertEquals("crm.customers", customers.topic());
        assertEquals(ColumnType.decimal(12, 2), customers.columns().get(3).type());
        assertNull(customers.timestampColumn());
        assertEquals(List.of("id"), program.sources().get(1).keyColumns());
        ViewPlan names = program.views().get(0);
        assertEquals(List.of("tenant", "id"), names.schema().keyColumnNames());
        assertFalse(names.isCopartitioned());
    }

    @Test
    void shouldResolveIdentifiersCaseInsensitivelyAndKeepDeclaredCase() {
        Program program = SqlPlanner.plan("""
                CREATE SOURCE Clicks (UserId VARCHAR, Page VARCHAR) WITH (KEY = 'userid', Topic = 'clicks');
                CREATE MATERIALIZED VIEW PageViews AS SELECT USERID, page, count(*) AS Views FROM CLICKS GROUP BY userId, PAGE
                """);
        assertEquals(List.of("UserId"), program.sources().get(0).keyColumns());
        ViewPlan view = program.views().get(0);
        assertEquals("PageViews", view.name());
        assertEquals(List.of("UserId", "Page", "Views"),
                view.schema().columns().stream().map(Column::name).toList());
    }

    @Test
    void shouldDefaultTopicToTheNameAndSplitStatementsAroundQuotesAndComments() {
        Program program = SqlPlanner.plan("""
                -- a comment; with a semicolon
                CREATE SOURCE s (k VARCHAR, v VARCHAR) WITH (key = 'k'); /* another; one */ ;
                CREATE MATERIALIZED VIEW semi AS SELECT k, v || ';' AS v FROM s WHERE v <> 'a;b' -- trailing
                """);
        assertEquals("s", program.sources().get(0).topic());
        ViewPlan view = program.views().get(0);
        assertEquals(List.of("k", "x;"), List.of(view.project(new Object[] {"k", "x"})));
        assertFalse(view.filter(new Object[] {"k", "a;b"}));
    }

    @Test
    void shouldPlanAnEmptyScriptToAnEmptyProgram() {
        Program program = SqlPlanner.plan("  -- nothing here\n ; ");
        assertTrue(program.sources().isEmpty());
        assertTrue(program.views().isEmpty());
    }

    @Test
    void shouldTypeAggregatesAsTheRuntimeComputesThem() {
        ViewPlan view = SqlPlanner.plan("""
                CREATE SOURCE m (k VARCHAR, i INT, b BIGINT, d DOUBLE, x DECIMAL(10,2), s VARCHAR, t TIMESTAMP)
                  WITH (key = 'k');
                CREATE MATERIALIZED VIEW agg AS SELECT k,
                  SUM(i) AS si, SUM(b) AS sb, SUM(d) AS sd, SUM(x) AS sx,
                  AVG(i) AS ai, AVG(b) AS ab, AVG(d) AS ad, AVG(x) AS ax,
                  MIN(i) AS mi, MAX(s) AS ms, MIN(t) AS mt, MAX(x) AS mx,
                  COUNT(s) AS cs, COUNT(DISTINCT s) AS cds
                FROM m GROUP BY k
                """).views().get(0);
        assertEquals(List.of(ColumnType.VARCHAR, ColumnType.BIGINT, ColumnType.BIGINT, ColumnType.DOUBLE,
                ColumnType.decimal(38, 2), ColumnType.DOUBLE, ColumnType.DOUBLE, ColumnType.DOUBLE,
                ColumnType.decimal(38, 6), ColumnType.INT, ColumnType.VARCHAR, ColumnType.TIMESTAMP,
                ColumnType.decimal(10, 2), ColumnType.BIGINT, ColumnType.BIGINT),
                view.schema().columns().stream().map(Column::type).toList());
    }

    @Test
    void shouldPlanAGlobalAggregateWithAnEmptyKey() {
        ViewPlan view = SqlPlanner.plan(ORDERS + "CREATE MATERIALIZED VIEW total AS SELECT COUNT(*) AS n FROM orders")
                .views().get(0);
        assertEquals(0, view.schema().keySize());
        assertEquals(0, view.groupKey(new Object[] {"o", "c", "r", 1L, "s", 0L}).length);
    }

    @Test
    void shouldPlanSelectStarKeyedBySourceKey() {
        ViewPlan view = SqlPlanner.plan(ORDERS + "CREATE MATERIALIZED VIEW copy AS SELECT * FROM orders WHERE status = 'x'")
                .views().get(0);
        assertEquals(6, view.schema().size());
        assertEquals(List.of("customer_id"), view.schema().keyColumnNames());
        Object[] row = {"o1", "c1", "eu", 5L, "x", 0L};
        assertTrue(view.filter(row));
        assertEquals(List.of(row), List.of(view.project(row)));
    }

    @Test
    void shouldPlanSelectDistinctAsAnAggregateWithoutAggregates() {
        ViewPlan view = SqlPlanner.plan(ORDERS + "CREATE MATERIALIZED VIEW regions AS SELECT DISTINCT region FROM orders")
                .views().get(0);
        assertTrue(view.isAggregate());
        assertEquals(List.of("region"), view.schema().keyColumnNames());
        assertTrue(view.aggregateInputColumns().isEmpty());
        var state = view.newGroupState();
        state.add(view.aggregateInputs(new Object[] {"o1", "c1", "eu", 5L, "x", 0L}));
        assertEquals(1, view.groupStateFromBytes(state.toBytes()).rowCount());
        assertEquals(List.of("eu"), List.of(view.finish(new Object[] {"eu"}, state.results())));
    }
}
