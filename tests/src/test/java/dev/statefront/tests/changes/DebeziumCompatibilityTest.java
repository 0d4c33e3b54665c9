package dev.statefront.tests.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Json;
import dev.statefront.core.Position;
import dev.statefront.core.Schema;
import io.debezium.transforms.ExtractNewRecordState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The view change topic read by Debezium's own code: records exactly as the processor writes them
 * ({@link ChangeEventCodec}: key = JSON of the key columns, value = the envelope, a tombstone after each delete) go
 * through Kafka Connect's {@link JsonConverter} and Debezium's {@link ExtractNewRecordState} SMT, as a Connect sink
 * with {@code transforms=unwrap} would run them.
 *
 * <p>By default the topic carries no Connect schema and, like every Debezium topic written with
 * {@code schemas.enable=false}, the SMT passes its records through unchanged (it only unwraps values whose schema
 * is an {@code Envelope}; asserted below). With {@code view.changes.schemas=true} the processor embeds the schema
 * ({@code {"schema", "payload"}}, timestamps as {@code io.debezium.time.ZonedTimestamp} strings), and the SMT turns
 * those records, exactly as written, into the expected flat rows, deletes handled per its
 * {@code delete.tombstone.handling.mode}.
 */
class DebeziumCompatibilityTest {
    static final String TOPIC = "statefront-view-customer_stats";
    static final Schema VIEW = Schema.of(List.of(new Column("customer_id", ColumnType.VARCHAR),
            new Column("order_count", ColumnType.BIGINT), new Column("avg_cents", ColumnType.DOUBLE),
            new Column("vip", ColumnType.BOOLEAN), new Column("last_ts", ColumnType.TIMESTAMP)),
            List.of("customer_id"));
    static final long TS = 1_700_000_000_042L;

    private final ChangeEventCodec plain = new ChangeEventCodec("statefront", VIEW);
    /** What the processor writes with view.changes.schemas=true. */
    private final ChangeEventCodec withSchemas = new ChangeEventCodec("statefront", VIEW, "customer_stats", true);
    private ChangeEventCodec codec = plain;
    private long offset;

    /** The records the processor writes for: create c-1, update c-1, create c-2, delete c-1 (+ tombstone). */
    private List<byte[][]> changeTopic(ChangeEventCodec writer) {
        codec = writer;
        Object[] v1 = {"c-1", 1L, 100.0, false, TS};
        Object[] v2 = {"c-1", 2L, 150.5, true, TS + 1};
        Object[] w1 = {"c-2", 1L, 7.0, null, TS + 2};
        List<byte[][]> records = new ArrayList<>();
        records.add(record("c-1", change(null, v1)));
        records.add(record("c-1", change(v1, v2)));
        records.add(record("c-2", change(null, w1)));
        records.add(record("c-1", change(v2, null)));
        records.add(new byte[][] {codec.encodeKey(new Object[] {"c-1"}), null});
        return records;
    }

    private byte[] change(Object[] before, Object[] after) {
        return codec.encodeValue(new ChangeEvent(ChangeEvent.opFor(before, after), before, after, TS, "customer_stats",
                0, Position.of("orders", 0, ++offset)));
    }

    private byte[][] record(String key, byte[] value) {
        return new byte[][] {codec.encodeKey(new Object[] {key}), value};
    }

    @Test
    void shouldPassSchemalessRecordsThroughUnchangedLikeDebeziumsOwnSchemalessTopics() {
        JsonConverter converter = converter(false);
        ExtractNewRecordState<SinkRecord> unwrap = unwrap(Map.of());
        for (byte[][] kv : changeTopic(plain)) {
            SinkRecord in = sinkRecord(converter, kv[0], kv[1]);
            SinkRecord out = unwrap.apply(in);
            if (kv[1] == null) {
                assertNull(out, "the tombstone after a delete is dropped by default");
            } else {
                assertSame(in.value(), out.value(), "no schema: passed through unchanged");
            }
        }
    }

    @Test
    void shouldUnwrapToFlatRowsWithDeletesAsTombstonesByDefault() throws Exception {
        List<SinkRecord> out = run(Map.of());
        assertEquals(4, out.size(), "the processor's own tombstone is dropped, the delete becomes one");
        assertEquals(Map.of("customer_id", "c-1", "order_count", 1L, "avg_cents", 100.0, "vip", false,
                "last_ts", "2023-11-14T22:13:20.042Z"), flat(out.get(0)));
        assertEquals(Map.of("customer_id", "c-1", "order_count", 2L, "avg_cents", 150.5, "vip", true,
                "last_ts", "2023-11-14T22:13:20.043Z"), flat(out.get(1)));
        Map<String, Object> c2 = new HashMap<>();
        c2.put("customer_id", "c-2");
        c2.put("order_count", 1L);
        c2.put("avg_cents", 7.0);
        c2.put("vip", null);
        c2.put("last_ts", "2023-11-14T22:13:20.044Z");
        assertEquals(c2, flat(out.get(2)));
        assertNull(out.get(3).value(), "delete → tombstone for the key");
        assertEquals("c-1", ((Struct) out.get(3).key()).get("customer_id"), "keyed by the view key");
    }

    @Test
    void shouldRewriteDeletesWithTheDeletedFlag() throws Exception {
        List<SinkRecord> out = run(Map.of("delete.tombstone.handling.mode", "rewrite", "add.fields", "op,source.view"));
        assertEquals(4, out.size());
        assertEquals("c", flat(out.get(0)).get("__op"));
        assertEquals("u", flat(out.get(1)).get("__op"));
        assertEquals("customer_stats", flat(out.get(1)).get("__source_view"));
        Map<String, Object> deleted = flat(out.get(3));
        assertEquals("true", String.valueOf(deleted.get("__deleted")));
        assertEquals("d", deleted.get("__op"));
        assertEquals("c-1", deleted.get("customer_id"));
        assertEquals(2L, deleted.get("order_count"), "a rewritten delete carries the row before");
        assertEquals("false", String.valueOf(flat(out.get(0)).get("__deleted")));
    }

    @Test
    void shouldDropDeletesWhenAskedTo() throws Exception {
        List<SinkRecord> out = run(Map.of("delete.tombstone.handling.mode", "drop"));
        assertEquals(3, out.size());
        assertEquals(List.of("c-1", "c-1", "c-2"), out.stream().map(r -> flat(r).get("customer_id")).toList());
    }

    /** Our records as written with view.changes.schemas=true, through JsonConverter(schemas.enable=true) and the SMT. */
    private List<SinkRecord> run(Map<String, String> smtConfig) throws Exception {
        JsonConverter converter = converter(true);
        ExtractNewRecordState<SinkRecord> unwrap = unwrap(smtConfig);
        List<SinkRecord> out = new ArrayList<>();
        for (byte[][] kv : changeTopic(withSchemas)) {
            SinkRecord r = unwrap.apply(sinkRecord(converter, kv[0], kv[1]));
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private static JsonConverter converter(boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", String.valueOf(schemas), "decimal.format", "NUMERIC"), false);
        return c;
    }

    private static ExtractNewRecordState<SinkRecord> unwrap(Map<String, String> config) {
        ExtractNewRecordState<SinkRecord> smt = new ExtractNewRecordState<>();
        smt.configure(config);
        return smt;
    }

    private static SinkRecord sinkRecord(JsonConverter converter, byte[] key, byte[] value) {
        SchemaAndValue k = converter.toConnectData(TOPIC, key);
        SchemaAndValue v = converter.toConnectData(TOPIC, value);
        return new SinkRecord(TOPIC, 0, k.schema(), k.value(), v.schema(), v.value(), 0);
    }

    private static Map<String, Object> flat(SinkRecord r) {
        Struct s = (Struct) r.value();
        Map<String, Object> m = new LinkedHashMap<>();
        s.schema().fields().forEach(f -> m.put(f.name(), s.get(f)));
        return m;
    }
}
