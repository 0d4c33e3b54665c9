package dev.statefront.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The JSON wire format of a view's change topic, compatible with Debezium's envelope without embedded schema.
 * Record key: the view key as a JSON object of the key columns. Record value:
 * <pre>{"before": {...}|null, "after": {...}|null, "op": "c|u|d|r", "ts_ms": 1700000000000,
 *  "source": {"version": "...", "connector": "statefront", "name": "statefront", "ts_ms": ..., "view": "v",
 *             "partition": 0, "position": "token", "offsets": [{"topic": "orders", "partition": 0, "offset": 42}]}}</pre>
 * A delete is followed by a tombstone (same key, null value) so compaction can drop the key.
 */
public final class ChangeEventCodec {
    /** Written in {@code source.version}. */
    public static final String VERSION = "0.1.0";

    private final String appId;
    private final Schema schema;
    private final List<Column> keyColumns;

    /**
     * A codec for one view.
     *
     * @param appId written in {@code source.name}
     * @param schema the view's schema, with its key columns
     */
    public ChangeEventCodec(String appId, Schema schema) {
        this.appId = appId;
        this.schema = schema;
        this.keyColumns = schema.keyColumnNames().stream().map(n -> schema.column(schema.indexOf(n))).toList();
    }

    /** The record key for a view key. */
    public byte[] encodeKey(Object[] key) {
        try {
            return Json.mapper().writeValueAsBytes(JsonValues.rowToJson(keyColumns, key));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode key", e);
        }
    }

    /**
     * The view key of a record key.
     *
     * @throws DecodeException if the bytes are not a key of this view
     */
    public Object[] decodeKey(byte[] bytes) {
        try {
            return JsonValues.rowFromJson(keyColumns, Json.mapper().readTree(bytes));
        } catch (IOException e) {
            throw new DecodeException("record key is not JSON: " + e.getMessage(), e);
        }
    }

    /** The record value of a change. */
    public byte[] encodeValue(ChangeEvent e) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.set("before", e.before() == null ? root.nullNode() : JsonValues.rowToJson(schema.columns(), e.before()));
        root.set("after", e.after() == null ? root.nullNode() : JsonValues.rowToJson(schema.columns(), e.after()));
        root.put("op", e.op().code());
        root.put("ts_ms", e.tsMs());
        ObjectNode source = root.putObject("source");
        source.put("version", VERSION);
        source.put("connector", "statefront");
        source.put("name", appId);
        source.put("ts_ms", e.tsMs());
        source.put("view", e.view());
        source.put("partition", e.partition());
        source.put("position", e.position().token());
        ArrayNode offsets = source.putArray("offsets");
        for (Map.Entry<String, Long> p : e.position().asMap().entrySet()) {
            String k = p.getKey();
            int slash = k.lastIndexOf('/');
            ObjectNode o = offsets.addObject();
            o.put("topic", k.substring(0, slash));
            o.put("partition", Integer.parseInt(k.substring(slash + 1)));
            o.put("offset", p.getValue());
        }
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot encode change of view " + e.view(), ex);
        }
    }

    /**
     * The change in a record value.
     *
     * @throws DecodeException if the bytes are not a change envelope of this view
     */
    public ChangeEvent decodeValue(byte[] bytes) {
        try {
            JsonNode root = Json.mapper().readTree(bytes);
            JsonNode before = root.get("before");
            JsonNode after = root.get("after");
            JsonNode source = root.path("source");
            Position position = source.hasNonNull("position")
                    ? Position.fromToken(source.get("position").asText()) : Position.EMPTY;
            return new ChangeEvent(ChangeEvent.Op.fromCode(root.path("op").asText()),
                    before == null || before.isNull() ? null : JsonValues.rowFromJson(schema.columns(), before),
                    after == null || after.isNull() ? null : JsonValues.rowFromJson(schema.columns(), after),
                    root.path("ts_ms").asLong(), source.path("view").asText(), source.path("partition").asInt(),
                    position);
        } catch (IOException | IllegalArgumentException e) {
            throw new DecodeException("not a change envelope: " + e.getMessage(), e);
        }
    }
}
