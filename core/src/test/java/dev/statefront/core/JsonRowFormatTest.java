package dev.statefront.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming reader must decide exactly like the tree-based rules of JsonValues, value for value. */
class JsonRowFormatTest {
    private static final List<Column> COLUMNS = List.of(
            new Column("s", ColumnType.VARCHAR), new Column("n", ColumnType.BIGINT), new Column("i", ColumnType.INT),
            new Column("d", ColumnType.DOUBLE), new Column("m", ColumnType.decimal(10, 2)),
            new Column("b", ColumnType.BOOLEAN), new Column("Ts", ColumnType.TIMESTAMP));
    private static final String[] VALUES = {"null", "\"x\"", "\"\"", "12", "-7", "3000000000", "99999999999999999999",
        "1.5", "-0.25", "1e3", "true", "false", "\"2023-11-14T22:13:20.042Z\"", "\"2024-01-31 12:00:00\"",
        "\"12.345\"", "\"nope\"", "[1,2]", "{\"a\":1}", "1700000000042"};

    @Test
    void shouldDecodeLikeTheTreeRulesForRandomObjects() throws Exception {
        JsonRowFormat format = new JsonRowFormat(COLUMNS);
        Random rnd = new Random(5);
        String[] names = {"s", "n", "i", "d", "m", "b", "Ts", "ts", "S", "extra", "nested"};
        for (int round = 0; round < 5000; round++) {
            StringBuilder json = new StringBuilder("{");
            int fields = rnd.nextInt(6);
            for (int f = 0; f < fields; f++) {
                if (f > 0) {
                    json.append(',');
                }
                json.append('"').append(names[rnd.nextInt(names.length)]).append("\":")
                        .append(VALUES[rnd.nextInt(VALUES.length)]);
            }
            String text = json.append('}').toString();
            Object[] expected;
            try {
                expected = JsonValues.rowFromJson(COLUMNS, Json.mapper().readTree(text));
            } catch (DecodeException e) {
                assertThrows(DecodeException.class, () -> format.read(text.getBytes(StandardCharsets.UTF_8)), text);
                continue;
            }
            assertArrayEquals(expected, format.read(text.getBytes(StandardCharsets.UTF_8)), text);
        }
    }

    @Test
    void shouldSkipOnlyStringsOfUnreadTextColumnsAndRejectTheSameRecords() {
        JsonRowFormat full = new JsonRowFormat(COLUMNS);
        java.util.BitSet read = new java.util.BitSet();
        read.set(1); // n
        read.set(6); // Ts
        JsonRowFormat some = new JsonRowFormat(COLUMNS, read);
        Random rnd = new Random(11);
        String[] names = {"s", "n", "i", "d", "m", "b", "Ts", "S", "extra"};
        int skipped = 0;
        for (int round = 0; round < 5000; round++) {
            StringBuilder json = new StringBuilder("{");
            int fields = rnd.nextInt(6);
            for (int f = 0; f < fields; f++) {
                json.append(f > 0 ? "," : "").append('"').append(names[rnd.nextInt(names.length)]).append("\":")
                        .append(VALUES[rnd.nextInt(VALUES.length)]);
            }
            byte[] text = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
            Object[] expected;
            try {
                expected = full.read(text);
            } catch (DecodeException e) {
                DecodeException same = assertThrows(DecodeException.class, () -> some.read(text), json.toString());
                assertEquals(e.getMessage(), same.getMessage());
                continue;
            }
            Object[] row = some.read(text);
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (i == 0 && expected[0] != null && row[0] == null) {
                    skipped++; // the unread text column's string, not built
                } else {
                    assertEquals(expected[i], row[i], json + " column " + COLUMNS.get(i).name());
                }
            }
        }
        assertEquals(true, skipped > 100, "strings of the unread column were skipped: " + skipped);
    }

    @Test
    void shouldRejectMalformedAndNonObjectJson() {
        JsonRowFormat format = new JsonRowFormat(COLUMNS);
        for (String bad : List.of("{\"s\": ", "[1]", "7", "", "{\"s\":\"a\"} trailing")) {
            DecodeException e = assertThrows(DecodeException.class,
                    () -> format.read(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertEquals(true, e.getMessage() != null && !e.getMessage().isEmpty());
        }
    }
}
