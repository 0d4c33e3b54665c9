package dev.statefront.processor.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SourceDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableStatementTest {
    private static final String CDC = """
            CREATE TABLE accounts (id BIGINT PRIMARY KEY, tier VARCHAR, balance BIGINT)
              WITH (connector = 'postgres-cdc', url = 'jdbc:postgresql://db:5432/shop', table = 'public.accounts',
                    user = 'u', password = 'p');
            """;

    @Test
    void shouldPlanAPostgresCdcTableAsADebeziumJsonTable() {
        Program p = SqlPlanner.plan(CDC + "CREATE MATERIALIZED VIEW t AS SELECT tier, COUNT(*) AS n FROM accounts "
                + "GROUP BY tier;");
        SourceDefinition s = p.sources().get(0);
        assertTrue(s.table());
        assertEquals(SourceDefinition.DEBEZIUM_JSON, s.format());
        assertEquals(SourceDefinition.POSTGRES_CDC, s.connector());
        assertEquals("accounts", s.topic(), "the topic defaults to the table name");
        assertEquals(List.of("id"), s.keyColumns());
        assertTrue(s.retracting());
        assertFalse(p.views().get(0).isCopartitioned());
    }

    @Test
    void shouldCopartitionAJsonTableGroupedByItsVarcharKeyButNotADebeziumOne() {
        String view = "CREATE MATERIALIZED VIEW v AS SELECT id, COUNT(*) AS n FROM t GROUP BY id;";
        assertTrue(SqlPlanner.plan("CREATE TABLE t (id VARCHAR PRIMARY KEY, x BIGINT);" + view).views().get(0)
                .isCopartitioned());
        assertFalse(SqlPlanner.plan("CREATE TABLE t (id VARCHAR PRIMARY KEY, x BIGINT) WITH (format = "
                + "'debezium-json');" + view).views().get(0).isCopartitioned(),
                "Debezium keys records by a JSON object, not the plain key");
    }

    @Test
    void shouldRejectConnectorMistakesSayingWhatToChange() {
        assertMessage("CREATE SOURCE a (id BIGINT) WITH (connector = 'postgres-cdc', url = 'jdbc:postgresql://h/d', "
                + "table = 'a')", "use CREATE TABLE a");
        assertMessage("CREATE TABLE a (id BIGINT PRIMARY KEY) WITH (connector = 'postgres-cdc', table = 'a')",
                "needs url");
        assertMessage("CREATE TABLE a (id BIGINT PRIMARY KEY) WITH (connector = 'postgres-cdc', "
                + "url = 'jdbc:postgresql://h/d')", "needs table");
        assertMessage("CREATE TABLE a (id BIGINT PRIMARY KEY) WITH (connector = 'mysql-cdc', url = 'x', table = 'a')",
                "unsupported connector 'mysql-cdc'");
        assertMessage("CREATE TABLE a (id BIGINT PRIMARY KEY) WITH (connector = 'postgres-cdc', url = 'mysql://h/d', "
                + "table = 'a')", "not a PostgreSQL JDBC url");
        assertMessage("CREATE TABLE a (id BIGINT PRIMARY KEY) WITH (connector = 'postgres-cdc', "
                + "url = 'jdbc:postgresql://h/d', table = 'a', format = 'json')", "writes format 'debezium-json'");
        assertMessage("CREATE TABLE a (id BIGINT PRIMARY KEY) WITH (url = 'jdbc:postgresql://h/d')",
                "option 'url' belongs to a connector");
    }

    private static void assertMessage(String sql, String expected) {
        SqlException e = assertThrows(SqlException.class, () -> SqlPlanner.plan(sql));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
