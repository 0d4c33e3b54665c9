package dev.statefront.processor.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SinkDefinition;
import org.junit.jupiter.api.Test;

class SinkStatementTest {
    private static final String VIEW = SqlErrorsTest.ORDERS + """
            CREATE MATERIALIZED VIEW Totals AS SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id;
            """;

    @Test
    void shouldPlanAPostgresSinkOfADefinedView() {
        Program p = SqlPlanner.plan(VIEW + """
                CREATE SINK totals_pg FROM totals
                  WITH (connector = 'postgres', url = 'jdbc:postgresql://db/x', table = 'public.totals', user = 'u',
                        batch.size = '500');
                """);
        assertEquals(1, p.sinks().size());
        SinkDefinition s = p.sinks().get(0);
        assertEquals("totals_pg", s.name());
        assertEquals("Totals", s.view(), "the view's declared name");
        assertEquals("public.totals", s.options().get("table"));
        assertEquals("u", s.options().get("user"));
        assertEquals("500", s.options().get("batch.size"), "dotted option names");
        assertTrue(s.sql().startsWith("CREATE SINK totals_pg"));
    }

    @Test
    void shouldRejectSinksOfUnknownViewsConnectorsAndMissingOptions() {
        SqlException unknownView = assertThrows(SqlException.class, () -> SqlPlanner.plan(VIEW
                + "CREATE SINK s FROM nope WITH (connector = 'postgres', url = 'u', table = 't');"));
        assertTrue(unknownView.getMessage().contains("view 'nope'") && unknownView.getMessage().contains("Totals"),
                unknownView.getMessage());
        SqlException connector = assertThrows(SqlException.class, () -> SqlPlanner.plan(VIEW
                + "CREATE SINK s FROM totals WITH (connector = 'mysql', url = 'u', table = 't');"));
        assertTrue(connector.getMessage().contains("unsupported connector 'mysql'"), connector.getMessage());
        SqlException missing = assertThrows(SqlException.class, () -> SqlPlanner.plan(VIEW
                + "CREATE SINK s FROM totals WITH (connector = 'postgres', url = 'u');"));
        assertTrue(missing.getMessage().contains("needs table"), missing.getMessage());
        SqlException noWith = assertThrows(SqlException.class, () -> SqlPlanner.plan(VIEW
                + "CREATE SINK s FROM totals;"));
        assertTrue(noWith.getMessage().contains("expected WITH"), noWith.getMessage());
        SqlException option = assertThrows(SqlException.class, () -> SqlPlanner.plan(VIEW
                + "CREATE SINK s FROM totals WITH (connector = 'postgres', url = 'u', table = 't', colour = 'x');"));
        assertTrue(option.getMessage().contains("unknown option 'colour'"), option.getMessage());
    }
}
