package dev.statefront.processor.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SqlErrorsTest {
    static final String ORDERS = """
            CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, region VARCHAR,
                                  amount_cents BIGINT, status VARCHAR, ts TIMESTAMP)
              WITH (topic = 'orders', format = 'json', timestamp = 'ts', key = 'customer_id');
            """;

    private static SqlException fail(String script) {
        SqlException e = assertThrows(SqlException.class, () -> SqlPlanner.plan(script));
        return e;
    }

    private static void assertContains(String expected, String actual) {
        assertTrue(actual.contains(expected), () -> "expected '" + expected + "' in: " + actual);
    }

    @Test
    void shouldReportUnknownColumnWithStatementPositionAndTheSourceColumns() {
        SqlException e = fail(ORDERS + """
                CREATE MATERIALIZED VIEW customer_stats AS
                  SELECT customer_id, COUNT(*) AS n,
                         SUM(amount) AS total FROM orders GROUP BY customer_id;
                """);
        assertEquals("statement 2 (CREATE MATERIALIZED VIEW customer_stats), line 6:14: column 'amount' not found "
                + "in source 'orders'; columns are: order_id, customer_id, region, amount_cents, status, ts",
                e.getMessage());
        assertEquals(2, e.statement());
        assertEquals(6, e.line());
        assertEquals(14, e.column());
    }

    @Test
    void shouldReportUnknownColumnInWhere() {
        SqlException e = fail(ORDERS + "CREATE MATERIALIZED VIEW v AS SELECT customer_id FROM orders WHERE stat = 'x'");
        assertEquals(4, e.line());
        assertEquals(68, e.column());
        assertContains("column 'stat' not found in source 'orders'", e.getMessage());
    }

    @Test
    void shouldReportUnknownSourceListingDeclaredSources() {
        SqlException e = fail(ORDERS + "CREATE MATERIALIZED VIEW v AS\nSELECT x FROM payments");
        assertEquals("statement 2 (CREATE MATERIALIZED VIEW v), line 5:15: source 'payments' not found; declared "
                + "sources are: orders", e.getMessage());
    }

    @Test
    void shouldRejectReadingAViewFromAView() {
        SqlException e = fail(ORDERS + """
                CREATE MATERIALIZED VIEW a AS SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id;
                CREATE MATERIALIZED VIEW b AS SELECT customer_id FROM a;
                """);
        assertEquals(3, e.statement());
        assertContains("view 'a' cannot be read by another view yet", e.getMessage());
    }

    @Test
    void shouldReportBadTypeAtTheType() {
        SqlException e = fail("CREATE SOURCE s (k VARCHAR,\n  v BLOB) WITH (key = 'k')");
        assertEquals("statement 1 (CREATE SOURCE s), line 2:5: column 'v': unsupported type 'BLOB'; supported: "
                + "BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, TIMESTAMP", e.getMessage());
    }

    @Test
    void shouldReportUnknownWithOptionListingKnownOptions() {
        SqlException e = fail("CREATE SOURCE s (k VARCHAR) WITH (topic = 's', partitions = '3')");
        assertEquals("statement 1 (CREATE SOURCE s), line 1:48: unknown option 'partitions'; known options are: "
                + "topic, format, timestamp, key, connector, url, table, user, password", e.getMessage());
    }

    @Test
    void shouldReportUnsupportedFormatListingSupportedOnes() {
        SqlException e = fail("CREATE SOURCE s (k VARCHAR) WITH (format = 'avro')");
        assertContains("line 1:44: unsupported format 'avro'; supported formats are: json, debezium-json", e.getMessage());
    }

    @Test
    void shouldRejectTimestampOptionOnAVarcharColumnAndUnknownKeyColumn() {
        assertContains("timestamp column 'k' is VARCHAR; it must be TIMESTAMP or BIGINT",
                fail("CREATE SOURCE s (k VARCHAR) WITH (timestamp = 'k')").getMessage());
        assertContains("key column 'id' is not a column of s; columns are: k",
                fail("CREATE SOURCE s (k VARCHAR) WITH (key = 'id')").getMessage());
        assertContains("option 'topic' needs a quoted string value",
                fail("CREATE SOURCE s (k VARCHAR) WITH (topic = orders)").getMessage());
    }

    @Test
    void shouldRequireGroupByItemsInTheSelectList() {
        SqlException e = fail(ORDERS + """
                CREATE MATERIALIZED VIEW v AS
                  SELECT region, COUNT(*) AS n FROM orders GROUP BY region, status
                """);
        assertEquals("statement 2 (CREATE MATERIALIZED VIEW v), line 5:61: GROUP BY item 'status' must appear "
                + "unchanged in the SELECT list: the GROUP BY items are the view's key", e.getMessage());
    }

    @Test
    void shouldExplainNonAggregatingViewOverKeylessSource() {
        SqlException e = fail("""
                CREATE SOURCE clicks (user_id VARCHAR, page VARCHAR);
                CREATE MATERIALIZED VIEW v AS SELECT user_id, page FROM clicks
                """);
        assertEquals(2, e.statement());
        assertContains("add key = '<column>' to the WITH options of source 'clicks'", e.getMessage());
    }

    @Test
    void shouldExplainNonAggregatingViewWithoutTheKeyColumn() {
        SqlException e = fail(ORDERS + "CREATE MATERIALIZED VIEW v AS SELECT order_id, region FROM orders");
        assertContains("select the key column 'customer_id' unchanged", e.getMessage());
    }

    @Test
    void shouldReportSyntaxErrorsInTheQueryAtTheirScriptPosition() {
        SqlException e = fail(ORDERS + "CREATE MATERIALIZED VIEW v AS\n  SELECT customer_id FORM orders");
        assertEquals(2, e.statement());
        assertEquals(5, e.line());
        assertEquals(27, e.column()); // FORM parses as an alias; 'orders' is unexpected
        assertContains("syntax error", e.getMessage());
    }

    @Test
    void shouldReportSyntaxErrorsInTheDdl() {
        SqlException e = fail("CREATE SOURCE s (k VARCHAR v INT)");
        assertContains("statement 1 (CREATE SOURCE s), line 1:28: expected ',' or ')'", e.getMessage());
    }

    @Test
    void shouldNameSupportedStatementsForUnsupportedOnes() {
        SqlException e = fail(ORDERS + "\nDROP SOURCE orders;");
        assertEquals("statement 2, line 5:1: unsupported statement starting with 'DROP'; supported statements are "
                + "CREATE SOURCE, CREATE TABLE, CREATE MATERIALIZED VIEW and CREATE SINK", e.getMessage());
        assertContains("use CREATE MATERIALIZED VIEW", fail("CREATE VIEW v AS SELECT 1").getMessage());
    }

    @Test
    void shouldRejectDuplicateNames() {
        SqlException e = fail(ORDERS + "CREATE TABLE Orders (id INT PRIMARY KEY)");
        assertEquals("statement 2 (CREATE TABLE Orders), line 4:14: name 'Orders' is already taken by source "
                + "'orders'", e.getMessage());
        assertContains("already taken by view 'v'", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id FROM orders;\n"
                + "CREATE MATERIALIZED VIEW V AS SELECT customer_id FROM orders").getMessage());
        assertContains("column 'K' is declared twice", fail("CREATE SOURCE s (k VARCHAR, K INT)").getMessage());
    }

    @Test
    void shouldRejectJoinsSubqueriesWindowsAndOrdering() {
        assertContains("joins are not supported yet", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT o.customer_id FROM orders o JOIN orders p ON o.order_id = p.order_id")
                .getMessage());
        assertContains("subqueries in FROM are not supported yet", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id FROM (SELECT * FROM orders)").getMessage());
        assertContains("subqueries are not supported yet", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id FROM orders WHERE order_id IN (SELECT order_id FROM orders)")
                .getMessage());
        assertContains("window functions (OVER) are not supported yet", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id, ROW_NUMBER() OVER (ORDER BY ts) AS r FROM orders")
                .getMessage());
        assertContains("ORDER BY, LIMIT and OFFSET are not supported", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id FROM orders ORDER BY ts").getMessage());
    }

    @Test
    void shouldRejectColumnsNeitherGroupedNorAggregated() {
        SqlException e = fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id, region, COUNT(*) AS n FROM orders GROUP BY customer_id");
        assertContains("line 4:51: 'region' is neither in GROUP BY nor inside an aggregate function", e.getMessage());
    }

    @Test
    void shouldAskForANameForUnaliasedExpressions() {
        SqlException e = fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id");
        assertContains("line 4:51: select item 2 needs a name: add AS <column name>", e.getMessage());
    }

    @Test
    void shouldRejectUnsupportedAggregatesAndTypes() {
        assertContains("aggregate function STDDEV_POP is not supported yet", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id, STDDEV_POP(amount_cents) AS s FROM orders GROUP BY customer_id")
                .getMessage());
        assertContains("not supported", fail(ORDERS
                + "CREATE MATERIALIZED VIEW v AS SELECT customer_id, CURRENT_DATE AS d FROM orders").getMessage());
    }

    @Test
    void shouldReportUnterminatedStringsWithTheirStart() {
        SqlException e = fail("CREATE SOURCE s (k VARCHAR) WITH (topic = 'oops)");
        assertEquals(1, e.line());
        assertEquals(43, e.column());
        assertContains("string literal", e.getMessage());
    }

    @Test
    void shouldRequireAPrimaryKeyForTablesAndNoneForSources() {
        assertContains("needs a PRIMARY KEY", fail("CREATE TABLE t (id INT)").getMessage());
        assertContains("a SOURCE is an append-only stream and has no PRIMARY KEY",
                fail("CREATE SOURCE s (id INT PRIMARY KEY)").getMessage());
    }
}
