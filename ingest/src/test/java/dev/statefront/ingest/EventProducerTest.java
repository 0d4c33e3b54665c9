package dev.statefront.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Json;
import dev.statefront.core.Schema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventProducerTest {
    static final Schema COLUMNS = Schema.of(List.of(new Column("order_id", ColumnType.VARCHAR),
            new Column("customer_id", ColumnType.VARCHAR), new Column("amount_cents", ColumnType.BIGINT),
            new Column("ts", ColumnType.TIMESTAMP)), List.of());
    static final CatalogEntry ORDERS = new CatalogEntry(CatalogEntry.Kind.SOURCE, "orders", "CREATE SOURCE ...",
            COLUMNS, "orders", 4, List.of(), Map.of("format", "json", "key", "customer_id"));

    static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }

    @Test
    void shouldNameEveryBadEventWithItsReason() throws Exception {
        List<JsonNode> events = List.of(
                json("{\"order_id\":\"o-1\",\"customer_id\":\"c-1\",\"amount_cents\":100,\"ts\":1700000000000}"),
                json("{\"order_id\":\"o-2\",\"amount_cents\":\"lots\"}"),
                json("[1,2]"),
                json("{\"order_id\":\"o-4\",\"ts\":\"yesterday\"}"));
        List<EventViolation> v = EventProducer.validate(ORDERS, events);
        assertEquals(List.of(1, 2, 3), v.stream().map(EventViolation::index).toList());
        assertTrue(v.get(0).reason().contains("amount_cents"), v.get(0).reason());
        assertTrue(v.get(1).reason().contains("JSON object"), v.get(1).reason());
        assertTrue(v.get(2).reason().contains("ts"), v.get(2).reason());
        EventValidationException e = new EventValidationException("orders", v);
        assertTrue(e.getMessage().contains("#1") && e.getMessage().contains("nothing was written"), e.getMessage());
    }

    @Test
    void shouldKeyRecordsByTheKeyColumnAsAString() throws Exception {
        assertEquals("c-1", new String(EventProducer.recordKey(ORDERS, json("{\"customer_id\":\"c-1\"}")),
                StandardCharsets.UTF_8));
        assertNull(EventProducer.recordKey(ORDERS, json("{\"order_id\":\"o\"}")));
        CatalogEntry keyed = new CatalogEntry(CatalogEntry.Kind.SOURCE, "t", "", Schema.of(List.of(
                new Column("id", ColumnType.BIGINT)), List.of("id")), "t", 1, List.of(), Map.of());
        assertEquals("42", new String(EventProducer.recordKey(keyed, json("{\"id\":42}")), StandardCharsets.UTF_8));
        CatalogEntry keyless = new CatalogEntry(CatalogEntry.Kind.SOURCE, "t", "", COLUMNS, "t", 1, List.of(),
                Map.of());
        assertNull(EventProducer.recordKey(keyless, json("{\"customer_id\":\"c-1\"}")));
    }

    @Test
    void shouldCheckTheAfterRowOfDebeziumEvents() throws Exception {
        CatalogEntry cdc = new CatalogEntry(CatalogEntry.Kind.SOURCE, "customers", "", COLUMNS, "pg.customers", 1,
                List.of(), Map.of("format", "debezium-json", "key", "customer_id"));
        List<EventViolation> v = EventProducer.validate(cdc, List.of(
                json("{\"before\":null,\"after\":{\"customer_id\":\"c-1\"},\"op\":\"c\"}"),
                json("{\"payload\":{\"before\":{\"customer_id\":\"c-1\"},\"after\":null,\"op\":\"d\"}}"),
                json("{\"after\":{\"amount_cents\":1.5}}")));
        assertEquals(List.of(2), v.stream().map(EventViolation::index).toList());
        assertEquals("c-1", new String(EventProducer.recordKey(cdc,
                json("{\"payload\":{\"before\":{\"customer_id\":\"c-1\"},\"after\":null}}")), StandardCharsets.UTF_8));
    }
}
