package dev.statefront.processor.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.ColumnType;
import dev.statefront.processor.plan.EvaluationException;
import dev.statefront.processor.plan.ViewPlan;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpressionEvaluationTest {
    private static final String SOURCE = "CREATE SOURCE t (k VARCHAR, i INT, b BIGINT, d DOUBLE, x DECIMAL(10,2), "
            + "s VARCHAR, ts TIMESTAMP, f BOOLEAN, g BOOLEAN) WITH (key = 'k');\n";

    /** k, i, b, d, x, s, ts, f, g. */
    private static Object[] row(Integer i, Long b, Double d, String x, String s, Long ts, Boolean f, Boolean g) {
        return new Object[] {"k1", i, b, d, x == null ? null : new BigDecimal(x), s, ts, f, g};
    }

    private static final Object[] ROW = row(7, 10L, 2.5, "3.25", "Hello World", 1_700_000_000_042L, true, false);
    private static final Object[] NULLS = row(null, null, null, null, null, null, null, null);

    private static ViewPlan view(String expression) {
        return SqlPlanner.plan(SOURCE + "CREATE MATERIALIZED VIEW v AS SELECT k, " + expression + " AS e FROM t")
                .views().get(0);
    }

    private static Object eval(String expression, Object[] row) {
        return view(expression).project(row)[1];
    }

    private static ColumnType typeOf(String expression) {
        return view(expression).schema().column(1).type();
    }

    private static boolean where(String condition, Object[] row) {
        return SqlPlanner.plan(SOURCE + "CREATE MATERIALIZED VIEW v AS SELECT k FROM t WHERE " + condition)
                .views().get(0).filter(row);
    }

    @Test
    void shouldComputeArithmeticInTheResultType() {
        assertEquals(17L, eval("i + b", ROW));
        assertEquals(70, eval("i * 10", ROW));
        assertEquals(ColumnType.INT, typeOf("i * 10"));
        assertEquals(25.0, eval("b * d", ROW));
        assertEquals(new BigDecimal("10.25"), eval("x + i", ROW));
        assertEquals(new BigDecimal("6.50"), eval("x * 2", ROW));
        assertEquals(-7, eval("-i", ROW));
        assertEquals(1, eval("i % 3", ROW));
        assertEquals(1, eval("MOD(b, 3)", ROW)); // Calcite types MOD as its second operand
        assertEquals(7, eval("ABS(-i)", ROW));
    }

    @Test
    void shouldTruncateIntegerDivision() {
        assertEquals(2, eval("i / 3", ROW));
        assertEquals(-2, eval("-i / 3", ROW));
        assertEquals(3L, eval("b / 3", ROW));
        assertEquals(2.8, eval("i / d", ROW));
        assertThrows(EvaluationException.class, () -> view("b / (i - 7)").project(ROW));
    }

    @Test
    void shouldPropagateNullThroughArithmeticAndFunctions() {
        for (String e : new String[] {"i + 1", "b * i", "d / 2", "x - 1", "-i", "UPPER(s)", "LOWER(s)",
                "SUBSTRING(s FROM 2)", "s || 'x'", "CAST(i AS VARCHAR)", "i % 2"}) {
            assertNull(eval(e, NULLS), e);
        }
    }

    @Test
    void shouldEvaluateCaseWithUnpaddedStrings() {
        String e = "CASE WHEN i > 5 THEN 'big' WHEN i > 0 THEN 'small' ELSE 'non-positive' END";
        assertEquals("big", eval(e, ROW));
        assertEquals("small", eval(e, row(3, null, null, null, null, null, null, null)));
        assertEquals("non-positive", eval(e, NULLS));
        assertEquals(ColumnType.VARCHAR, typeOf(e));
        assertNull(eval("CASE WHEN i > 100 THEN 'x' END", ROW));
        assertEquals("seven", eval("CASE i WHEN 7 THEN 'seven' ELSE 'other' END", ROW));
    }

    @Test
    void shouldEvaluateCoalesceAndNullif() {
        assertEquals("none", eval("COALESCE(s, 'none')", NULLS));
        assertEquals("Hello World", eval("COALESCE(s, 'none')", ROW));
        assertEquals(10L, eval("COALESCE(i, b, 0)", row(null, 10L, null, null, null, null, null, null)));
        assertNull(eval("NULLIF(i, 7)", ROW));
        assertEquals(7, eval("NULLIF(i, 8)", ROW));
    }

    @Test
    void shouldCastBetweenStringsNumbersAndTimestamps() {
        assertEquals("7", eval("CAST(i AS VARCHAR)", ROW));
        assertEquals("3.25", eval("CAST(x AS VARCHAR)", ROW));
        assertEquals(42, eval("CAST(' 42 ' AS INT)", ROW));
        assertEquals(42L, eval("CAST(CAST(i * 6 AS VARCHAR) AS BIGINT)", ROW));
        assertEquals(3, eval("CAST(x AS INT)", ROW));
        assertEquals(2, eval("CAST(d AS INT)", ROW));
        assertEquals(new BigDecimal("2.500"), eval("CAST(d AS DECIMAL(6,3))", ROW));
        assertEquals(1.5, eval("CAST('1.5' AS DOUBLE)", ROW));
        assertEquals(Instant.parse("2024-01-31T12:00:00Z").toEpochMilli(),
                eval("CAST('2024-01-31 12:00:00' AS TIMESTAMP)", ROW));
        assertEquals(Instant.parse("2024-01-31T12:00:00.5Z").toEpochMilli(),
                eval("CAST(s AS TIMESTAMP)", row(null, null, null, null, "2024-01-31T12:00:00.500Z", null, null, null)));
        assertEquals("2023-11-14 22:13:20.042", eval("CAST(ts AS VARCHAR)", ROW));
        assertEquals(ColumnType.TIMESTAMP, typeOf("CAST(s AS TIMESTAMP)"));
        assertThrows(EvaluationException.class, () -> view("CAST(s AS INT)").project(ROW));
    }

    @Test
    void shouldCompareTimestampsWithTimestampLiterals() {
        assertTrue(where("ts > TIMESTAMP '2023-11-14 00:00:00'", ROW));
        assertFalse(where("ts > TIMESTAMP '2023-11-15 00:00:00'", ROW));
    }

    @Test
    void shouldEvaluateStringFunctions() {
        assertEquals("hello world", eval("LOWER(s)", ROW));
        assertEquals("HELLO WORLD", eval("UPPER(s)", ROW));
        assertEquals("Hello World!", eval("s || '!'", ROW));
        assertEquals("Hello World7", eval("CONCAT(s, CAST(i AS VARCHAR))", ROW));
        assertEquals("ab", eval("CONCAT('a', s, 'b')", NULLS));
        assertNull(eval("'a' || s", NULLS));
        assertEquals("World", eval("SUBSTRING(s FROM 7)", ROW));
        assertEquals("ell", eval("SUBSTRING(s FROM 2 FOR 3)", ROW));
        assertEquals("He", eval("SUBSTRING(s, 0, 3)", ROW));
        assertEquals("", eval("SUBSTRING(s FROM 50)", ROW));
        assertEquals(11, eval("CHAR_LENGTH(s)", ROW));
        assertEquals("x", eval("TRIM('  x ')", ROW));
    }

    @Test
    void shouldTestNullsAndDistinctness() {
        assertEquals(Boolean.TRUE, eval("s IS NULL", NULLS));
        assertEquals(Boolean.FALSE, eval("s IS NOT NULL", NULLS));
        assertEquals(Boolean.FALSE, eval("s IS NULL", ROW));
        assertTrue(where("i IS NOT DISTINCT FROM i", NULLS));
        assertFalse(where("i IS DISTINCT FROM i", NULLS));
    }

    @Test
    void shouldFollowThreeValuedLogic() {
        // f = TRUE, g = FALSE, nulls for the NULL row
        assertEquals(Boolean.FALSE, eval("f AND g", ROW));
        assertEquals(Boolean.TRUE, eval("f OR g", ROW));
        assertEquals(Boolean.FALSE, eval("NOT f", ROW));
        Object[] unknown = row(null, null, null, null, null, null, null, false);
        assertEquals(Boolean.FALSE, eval("f AND g", unknown)); // NULL AND FALSE
        assertNull(eval("f OR g", unknown)); // NULL OR FALSE
        assertNull(eval("NOT f", unknown));
        Object[] unknownTrue = row(null, null, null, null, null, null, null, true);
        assertNull(eval("f AND g", unknownTrue)); // NULL AND TRUE
        assertEquals(Boolean.TRUE, eval("f OR g", unknownTrue)); // NULL OR TRUE
        assertNull(eval("i > 3", NULLS));
        assertFalse(where("i > 3", NULLS), "NULL in WHERE rejects the row");
        assertFalse(where("NOT (i > 3)", NULLS), "NOT NULL is still NULL");
        assertTrue(where("i > 3 OR TRUE", NULLS));
        assertEquals(Boolean.TRUE, eval("f IS TRUE", ROW));
        assertEquals(Boolean.FALSE, eval("f IS TRUE", NULLS));
    }

    @Test
    void shouldSupportInBetweenAndLike() {
        assertTrue(where("i IN (1, 7, 9)", ROW));
        assertFalse(where("i NOT IN (1, 9)", NULLS));
        assertTrue(where("s IN ('a','b','c','d','e','f','g','h','i','j','k','l','m','n','o','p','q','r','s','t',"
                + "'u','v','Hello World')", ROW));
        assertTrue(where("b BETWEEN 5 AND 10", ROW));
        assertFalse(where("b NOT BETWEEN 5 AND 10", ROW));
        assertTrue(where("s LIKE 'Hello%'", ROW));
        assertTrue(where("s LIKE '_ello W%d'", ROW));
        assertFalse(where("s NOT LIKE '%World'", ROW));
    }

    @Test
    void shouldUseDistinctLiteralsOfEveryType() {
        assertEquals(true, eval("TRUE", ROW));
        assertEquals(1, eval("1", ROW));
        assertEquals(3_000_000_000L, eval("3000000000", ROW));
        assertEquals(new BigDecimal("1.50"), eval("1.50", ROW));
        assertEquals(1.5e3, eval("1.5e3", ROW));
        assertEquals("it's", eval("'it''s'", ROW));
        assertEquals(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli(), eval("TIMESTAMP '2024-01-01 00:00:00'", ROW));
        assertNull(eval("CAST(NULL AS INT)", ROW));
    }

    @Test
    void shouldRejectConstantExpressionsThatFailAtPlanTime() {
        SqlException e = assertThrows(SqlException.class, () -> view("CAST('abc' AS INT)"));
        assertTrue(e.getMessage().contains("cannot CAST 'abc' AS INT"), e.getMessage());
    }
}
