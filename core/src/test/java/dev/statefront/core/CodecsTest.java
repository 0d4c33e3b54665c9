package dev.statefront.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecsTest {
    private static final List<Column> COLUMNS = List.of(
            new Column("customer_id", ColumnType.VARCHAR), new Column("n", ColumnType.BIGINT),
            new Column("i", ColumnType.INT), new Column("d", ColumnType.DOUBLE),
            new Column("amount", ColumnType.decimal(10, 2)), new Column("ok", ColumnType.BOOLEAN),
            new Column("ts", ColumnType.TIMESTAMP));

    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    @Test
    void shouldRoundTripRowsThroughBinaryCodec() {
        Object[] row = {"c-1", 5L, -3, 1.5, new BigDecimal("12.34"), true, 1700000000042L};
        assertArrayEquals(row, RowCodec.decode(COLUMNS, RowCodec.encode(COLUMNS, row)));
        Object[] nulls = new Object[COLUMNS.size()];
        assertArrayEquals(nulls, RowCodec.decode(COLUMNS, RowCodec.encode(COLUMNS, nulls)));
    }

    @Test
    void shouldDecodeJsonByDeclaredTypes() throws Exception {
        Object[] row = JsonValues.rowFromJson(COLUMNS, json("{\"customer_id\":\"c-1\",\"n\":5,\"i\":-3,\"d\":2,"
                + "\"amount\":12.345,\"ok\":false,\"ts\":\"2023-11-14T22:13:20.042Z\",\"extra\":1}"));
        assertEquals("c-1", row[0]);
        assertEquals(5L, row[1]);
        assertEquals(-3, row[2]);
        assertEquals(2.0, row[3]);
        assertEquals(new BigDecimal("12.35"), row[4]);
        assertEquals(false, row[5]);
        assertEquals(1700000000042L, row[6]);
        Object[] epoch = JsonValues.rowFromJson(COLUMNS, json("{\"ts\":1700000000042}"));
        assertEquals(1700000000042L, epoch[6]);
        assertNull(epoch[0]);
    }

    @Test
    void shouldRejectWrongTypesWithTheColumnName() {
        DecodeException e = assertThrows(DecodeException.class,
                () -> JsonValues.rowFromJson(COLUMNS, json("{\"n\":\"five\"}")));
        assertTrue(e.getMessage().contains("'n'") && e.getMessage().contains("BIGINT"), e.getMessage());
        assertThrows(DecodeException.class, () -> JsonValues.rowFromJson(COLUMNS, json("{\"n\":1.5}")));
        assertThrows(DecodeException.class, () -> JsonValues.rowFromJson(COLUMNS, json("{\"i\":3000000000}")));
        assertThrows(DecodeException.class, () -> JsonValues.rowFromJson(COLUMNS, json("{\"customer_id\":7}")));
        assertThrows(DecodeException.class, () -> JsonValues.rowFromJson(COLUMNS, json("{\"ts\":\"yesterday\"}")));
        assertThrows(DecodeException.class, () -> JsonValues.rowFromJson(COLUMNS, json("[1,2]")));
        assertThrows(DecodeException.class, () -> JsonValues.rowFromJson(COLUMNS, json("{\"amount\":123456789.0}")));
    }

    @Test
    void shouldWriteTimestampsAsIsoWithMillis() {
        assertEquals("2023-11-14T22:13:20.000Z", JsonValues.formatTimestamp(1700000000000L));
        assertEquals("\"2023-11-14T22:13:20.042Z\"", JsonValues.toJson(1700000000042L, ColumnType.TIMESTAMP).toString());
    }

    @Test
    void shouldCompareAndTokenizePositions() {
        Position a = Position.of("orders", 0, 10).with("orders", 1, 5);
        Position b = Position.of("orders", 0, 8);
        assertTrue(a.covers(b));
        assertFalse(b.covers(a));
        assertEquals(a, Position.fromToken(a.token()));
        assertEquals(Position.EMPTY, Position.fromToken(Position.EMPTY.token()));
        assertEquals(java.util.Map.of("orders/1", 5L), b.missing(a).entrySet().stream()
                .filter(e -> e.getKey().equals("orders/1")).collect(java.util.stream.Collectors.toMap(
                        java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)));
        assertEquals(10L, a.merge(b).offset("orders", 0));
        assertThrows(IllegalArgumentException.class, () -> Position.fromToken("nope"));
        assertThrows(IllegalArgumentException.class, () -> Position.fromToken("p1.!!!"));
    }

    @Test
    void shouldWriteDebeziumStyleEnvelopes() throws Exception {
        Schema schema = Schema.of(List.of(new Column("customer_id", ColumnType.VARCHAR),
                new Column("order_count", ColumnType.BIGINT)), List.of("customer_id"));
        ChangeEventCodec codec = new ChangeEventCodec("statefront", schema);
        Position pos = Position.of("orders", 2, 100);
        ChangeEvent e = new ChangeEvent(ChangeEvent.Op.UPDATE, new Object[] {"c-1", 1L}, new Object[] {"c-1", 2L},
                42L, "customer_stats", 2, pos);
        JsonNode value = json(new String(codec.encodeValue(e), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("u", value.get("op").asText());
        assertEquals(1, value.get("before").get("order_count").asInt());
        assertEquals(2, value.get("after").get("order_count").asInt());
        assertEquals("customer_stats", value.get("source").get("view").asText());
        assertEquals(100, value.get("source").get("offsets").get(0).get("offset").asLong());
        ChangeEvent back = codec.decodeValue(codec.encodeValue(e));
        assertArrayEquals(e.after(), back.after());
        assertEquals(pos, back.position());
        assertEquals("{\"customer_id\":\"c-1\"}", new String(codec.encodeKey(new Object[] {"c-1"})));
        assertArrayEquals(new Object[] {"c-1"}, codec.decodeKey(codec.encodeKey(new Object[] {"c-1"})));

        // the source block is kept between changes of one transaction; another one gets its own
        ChangeEvent next = new ChangeEvent(ChangeEvent.Op.CREATE, null, new Object[] {"c-2", 1L}, 43L,
                "customer_stats", 2, Position.of("orders", 2, 101));
        JsonNode nextValue = json(new String(codec.encodeValue(next), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(101, nextValue.get("source").get("offsets").get(0).get("offset").asLong());
        assertEquals(43, nextValue.get("source").get("ts_ms").asLong());
        assertEquals(pos, codec.decodeValue(codec.encodeValue(e)).position());
    }

    @Test
    void shouldRoundTripCatalogEntriesAndMarkers() {
        Schema schema = Schema.of(List.of(new Column("region", ColumnType.VARCHAR),
                new Column("avg_cents", ColumnType.DOUBLE), new Column("amt", ColumnType.decimal(12, 3))),
                List.of("region"));
        CatalogEntry e = new CatalogEntry(CatalogEntry.Kind.VIEW, "v", "CREATE ...", schema, "statefront-view-v", 4,
                List.of("orders"), java.util.Map.of("copartitioned", "false"));
        assertEquals(e, CatalogEntry.fromJson(e.toJson()));
        ProgressMarker m = new ProgressMarker("v", 3, 77, Position.of("orders", 3, 9), 123, 456);
        assertEquals(m, ProgressMarker.fromJson(m.toJson()));
        ProgressMarker changes = new ProgressMarker("v", 3, 77, Position.of("orders", 3, 9), 123, 456, true);
        assertEquals(changes, ProgressMarker.fromJson(changes.toJson()));
        assertTrue(new String(changes.toJson(), java.nio.charset.StandardCharsets.UTF_8).contains("\"changes_from\":77"));
    }

    @Test
    void shouldPartitionStringKeysLikeKafkasDefaultPartitioner() {
        byte[] bytes = "c-17".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int expected = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(bytes)) % 4;
        assertEquals(expected, Partitions.forKey(List.of(ColumnType.VARCHAR), new Object[] {"c-17"}, 4));
    }
}
