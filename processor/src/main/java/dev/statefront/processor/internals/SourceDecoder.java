package dev.statefront.processor.internals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Json;
import dev.statefront.core.JsonRowFormat;
import dev.statefront.core.JsonValues;
import dev.statefront.processor.plan.SourceDefinition;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;

/**
 * Turns one source record into what it means for the source's rows, per format and kind of source.
 *
 * <ul>
 *   <li>{@code json} stream: the value is a row; a null value is an error.</li>
 *   <li>{@code json} table: the value is the key's latest row; a null value (tombstone) deletes the key, whose
 *       columns then come from the record key: the plain value of a single key column ({@code c-17}, {@code 42})
 *       or a JSON object of the key columns ({@code {"id": 42}}, also inside a Debezium {@code payload}).</li>
 *   <li>{@code debezium-json}: a Debezium envelope {@code {before, after, op}}, bare or as the {@code payload} of
 *       {@code {schema, payload}}; {@code c}/{@code r} insert, {@code u} update, {@code d} delete. Debezium's
 *       tombstone after a delete is skipped. A table takes the key from the envelope's row; a stream retracts
 *       {@code before} and adds {@code after}.</li>
 * </ul>
 *
 * <p>With an embedded schema, Debezium's semantic types are converted: {@code MicroTimestamp},
 * {@code NanoTimestamp}, {@code Date} to epoch milliseconds, Connect {@code Decimal} bytes to a decimal.
 */
final class SourceDecoder {
    /** Nothing to do (a Debezium tombstone). */
    static final Change SKIP = new Change(null, null, null);

    private final SourceDefinition source;
    private final List<Column> columns;
    private final int[] keyIndexes;
    private final boolean debezium;
    private final JsonRowFormat rowFormat;

    /**
     * What a record does.
     *
     * @param before the row that leaves a stream (debezium-json {@code u}/{@code d}), or null
     * @param after the row that arrives (stream) or the key's new row (table); null for a delete
     * @param key the primary key values of a table record; null for streams
     */
    record Change(Object[] before, Object[] after, Object[] key) {
        boolean skip() {
            return this == SKIP;
        }
    }

    SourceDecoder(SourceDefinition source) {
        this(source, null);
    }

    /**
     * A decoder that may leave the values of columns outside {@code read} NULL (null: builds every column). Only
     * a JSON stream's rows do so: a table keeps each key's whole row to retract it later.
     */
    SourceDecoder(SourceDefinition source, BitSet read) {
        this.source = source;
        this.columns = source.columns();
        this.keyIndexes = source.schema().keyIndexes();
        this.debezium = SourceDefinition.DEBEZIUM_JSON.equals(source.format());
        this.rowFormat = new JsonRowFormat(columns, source.table() ? null : read);
    }

    /**
     * Decodes a record whose key and value are views of the consumer's fetch buffer. A JSON row is parsed where it
     * lies; only the other formats copy the bytes out.
     *
     * @throws DecodeException saying what is wrong with the record
     */
    Change decode(ByteBuffer recordKey, ByteBuffer value) {
        if (!debezium && value != null && value.hasArray()) {
            return jsonRow(rowFormat.read(value.array(), value.arrayOffset() + value.position(), value.remaining()));
        }
        return decode(Utils.toNullableArray(recordKey), Utils.toNullableArray(value));
    }

    /**
     * Decodes a record.
     *
     * @throws DecodeException saying what is wrong with the record
     */
    Change decode(byte[] recordKey, byte[] value) {
        if (debezium) {
            return value == null ? SKIP : debezium(parse(value, "value"));
        }
        if (value == null) {
            if (!source.table()) {
                throw new DecodeException("a null value (tombstone) has no meaning on append-only source '"
                        + source.name() + "'");
            }
            return new Change(null, null, keyFromRecordKey(recordKey));
        }
        return jsonRow(rowFormat.read(value));
    }

    /** What a {@code json} record's row means: a stream's new row, or a table key's latest row. */
    private Change jsonRow(Object[] row) {
        return source.table() ? new Change(null, row, keyOf(row, "value")) : new Change(null, row, null);
    }

    private Change debezium(JsonNode node) {
        JsonNode schema = null;
        if (node.isObject() && node.has("payload") && !node.has("op")) {
            schema = node.get("schema");
            node = node.get("payload");
        }
        if (node == null || !node.isObject()) {
            throw new DecodeException("expected a Debezium envelope {\"before\", \"after\", \"op\"} but got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
        }
        JsonNode opNode = node.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw new DecodeException("Debezium envelope without \"op\": expected one of c, r, u, d");
        }
        String op = opNode.textValue();
        Object[] before = row(node.get("before"), schema, "before");
        Object[] after = row(node.get("after"), schema, "after");
        switch (op) {
            case "c", "r" -> {
                require(after, op, "after");
                return source.table() ? new Change(null, after, keyOf(after, "after")) : new Change(null, after, null);
            }
            case "u" -> {
                require(after, op, "after");
                if (source.table()) {
                    return new Change(null, after, keyOf(after, "after"));
                }
                if (before == null) {
                    throw new DecodeException("update without \"before\" on stream '" + source.name() + "': the old row "
                            + "cannot be retracted; declare it as CREATE TABLE with a PRIMARY KEY, or set REPLICA "
                            + "IDENTITY FULL on the PostgreSQL table");
                }
                return new Change(before, after, null);
            }
            case "d" -> {
                require(before, op, "before");
                return source.table() ? new Change(null, null, keyOf(before, "before")) : new Change(before, null, null);
            }
            case "t" -> throw new DecodeException("Debezium truncate events are not supported; delete the rows instead "
                    + "(or keep the connector's default skipped.operations=t)");
            default -> throw new DecodeException("unknown Debezium op '" + op + "'; expected one of c, r, u, d");
        }
    }

    private static void require(Object[] row, String op, String field) {
        if (row == null) {
            throw new DecodeException("Debezium op '" + op + "' without \"" + field + "\"");
        }
    }

    private Object[] row(JsonNode node, JsonNode schema, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (schema != null && node.isObject()) {
            node = applySchema((ObjectNode) node.deepCopy(), fieldSchemas(schema, field));
        }
        try {
            return JsonValues.rowFromJson(columns, node);
        } catch (DecodeException e) {
            throw new DecodeException("\"" + field + "\": " + e.getMessage(), e);
        }
    }

    /** The key columns of a row, checked for NULL. */
    private Object[] keyOf(Object[] row, String where) {
        Object[] key = new Object[keyIndexes.length];
        for (int i = 0; i < key.length; i++) {
            key[i] = row[keyIndexes[i]];
            if (key[i] == null) {
                throw new DecodeException("primary key column '" + columns.get(keyIndexes[i]).name() + "' of table '"
                        + source.name() + "' is null in the " + where);
            }
        }
        return key;
    }

    private Object[] keyFromRecordKey(byte[] recordKey) {
        if (recordKey == null) {
            throw new DecodeException("a tombstone (null value) without a record key deletes nothing; key records of "
                    + "table '" + source.name() + "' by its PRIMARY KEY");
        }
        String text = new String(recordKey, StandardCharsets.UTF_8);
        String trimmed = text.trim();
        if (trimmed.startsWith("{")) {
            JsonNode node = parse(recordKey, "key");
            if (node.has("payload") && node.get("payload").isObject()) {
                node = node.get("payload");
            }
            Object[] key = new Object[keyIndexes.length];
            for (int i = 0; i < key.length; i++) {
                Column c = columns.get(keyIndexes[i]);
                JsonNode field = node.get(c.name());
                if (field == null) {
                    throw new DecodeException("record key " + trimmed + " has no field '" + c.name()
                            + "' of the PRIMARY KEY of table '" + source.name() + "'");
                }
                key[i] = JsonValues.fromJson(field, c);
            }
            return keyOf(key0(key), "record key");
        }
        if (keyIndexes.length != 1) {
            throw new DecodeException("record key '" + text + "' is not a JSON object, but table '" + source.name()
                    + "' has a composite PRIMARY KEY: key records by a JSON object of the key columns");
        }
        Column c = columns.get(keyIndexes[0]);
        Object v = c.type().kind() == ColumnType.Kind.VARCHAR ? text : JsonValues.fromText(text, c);
        return new Object[] {v};
    }

    /** Spreads key values over a full-width row so {@link #keyOf} can check them. */
    private Object[] key0(Object[] key) {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < key.length; i++) {
            row[keyIndexes[i]] = key[i];
        }
        return row;
    }

    private JsonNode parse(byte[] bytes, String what) {
        try {
            JsonNode node = Json.mapper().readTree(bytes);
            if (node == null) {
                throw new DecodeException("empty " + what);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed JSON" + (what.equals("value") ? "" : " " + what) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodeException("unreadable " + what + ": " + e.getMessage(), e);
        }
    }

    /** Field name → Connect schema of the {@code before}/{@code after} struct, from an envelope schema. */
    private static Map<String, JsonNode> fieldSchemas(JsonNode envelopeSchema, String field) {
        Map<String, JsonNode> out = new HashMap<>();
        JsonNode fields = envelopeSchema.get("fields");
        if (fields == null || !fields.isArray()) {
            return out;
        }
        for (JsonNode f : fields) {
            if (field.equals(f.path("field").asText()) && f.get("fields") != null) {
                for (JsonNode col : f.get("fields")) {
                    out.put(col.path("field").asText(), col);
                }
            }
        }
        return out;
    }

    private static ObjectNode applySchema(ObjectNode row, Map<String, JsonNode> schemas) {
        for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = schemas.get(e.getKey());
            JsonNode v = e.getValue();
            if (s == null || v == null || v.isNull()) {
                continue;
            }
            String name = s.path("name").asText("");
            switch (name) {
                case "io.debezium.time.MicroTimestamp" -> e.setValue(row.numberNode(Math.floorDiv(v.asLong(), 1000L)));
                case "io.debezium.time.NanoTimestamp" -> e.setValue(row.numberNode(Math.floorDiv(v.asLong(), 1_000_000L)));
                case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date" ->
                        e.setValue(row.numberNode(v.asLong() * 86_400_000L));
                case "org.apache.kafka.connect.data.Decimal" -> {
                    if (v.isTextual()) {
                        int scale = Integer.parseInt(s.path("parameters").path("scale").asText("0"));
                        byte[] unscaled = Base64.getDecoder().decode(v.textValue());
                        e.setValue(row.numberNode(new BigDecimal(new BigInteger(unscaled), scale)));
                    }
                }
                default -> {
                }
            }
        }
        return row;
    }
}
