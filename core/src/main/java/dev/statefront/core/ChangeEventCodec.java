package dev.statefront.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.StringWriter;
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
    /**
     * Header on every change record that is followed by more records of the same view partition in the same
     * Kafka transaction; the last record a transaction writes to a partition has none. A reader that applies
     * records only up to one without it never shows half of a transaction. Records written without the header
     * (and tombstones or other writers' records) each count as complete.
     */
    public static final String MORE_HEADER = "sf.more";

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = Json.mapper().getFactory();

    private final String appId;
    private final Schema schema;
    private final List<Column> keyColumns;
    private final JsonRowFormat rowFormat;
    private final JsonRowFormat keyFormat;
    /** The last {@code source} block written: one flush stamps many changes with the same one. */
    private volatile SourceBlock lastSource;
    /** Connect JSON schemas written before each key/value when embedding schemas; null otherwise. */
    private final String keySchemaJson;
    private final String valueSchemaJson;

    /**
     * A codec for one view that writes envelopes without embedded schema.
     *
     * @param appId written in {@code source.name}
     * @param schema the view's schema, with its key columns
     */
    public ChangeEventCodec(String appId, Schema schema) {
        this(appId, schema, null, false);
    }

    /**
     * A codec for one view. With {@code embedSchema}, keys and values are written the way Kafka Connect's
     * {@code JsonConverter} writes them with {@code schemas.enable=true}: {@code {"schema": ..., "payload": ...}},
     * the payload unchanged, the value schema a struct named {@code <appId>.<view>.Envelope} (what Debezium's
     * {@code ExtractNewRecordState} recognises), TIMESTAMP columns as {@code io.debezium.time.ZonedTimestamp}
     * strings, DECIMAL as Connect {@code Decimal}. Reading accepts both forms either way.
     *
     * @param appId written in {@code source.name}
     * @param schema the view's schema, with its key columns
     * @param view the view's name, for the schema names (required with {@code embedSchema})
     * @param embedSchema whether to write Connect schemas before keys and values
     */
    public ChangeEventCodec(String appId, Schema schema, String view, boolean embedSchema) {
        this.appId = appId;
        this.schema = schema;
        this.keyColumns = schema.keyColumnNames().stream().map(n -> schema.column(schema.indexOf(n))).toList();
        this.rowFormat = new JsonRowFormat(schema.columns());
        this.keyFormat = new JsonRowFormat(keyColumns);
        this.keySchemaJson = embedSchema ? structSchema(keyColumns, appId + "." + view + ".Key", false) : null;
        this.valueSchemaJson = embedSchema ? envelopeSchema(appId + "." + view) : null;
    }

    /**
     * A generator kept per thread and codec, writing one record after another into the same buffer: a processor
     * encodes a key and a value for every changed group, and creating a generator for each costs more than
     * writing the few fields.
     */
    private static final class Output {
        final ByteArrayBuilder out = new ByteArrayBuilder(512);
        final JsonGenerator g;

        Output() {
            try {
                g = FACTORY.createGenerator(out);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a JSON generator", e);
            }
            g.setRootValueSeparator(null); // records are written one after another, nothing between them
        }

        /** The bytes written since the last call. */
        byte[] take() throws IOException {
            g.flush();
            byte[] bytes = out.toByteArray();
            out.reset();
            return bytes;
        }
    }

    private final ThreadLocal<Output> outputs = ThreadLocal.withInitial(Output::new);

    /**
     * Writes one record with this thread's generator; a write that fails leaves the generator mid-record, so
     * it is dropped.
     */
    private byte[] write(String what, String view, JsonWrite write) {
        Output o = outputs.get();
        try {
            write.to(o.g);
            return o.take();
        } catch (IOException | RuntimeException e) {
            outputs.remove();
            throw new IllegalStateException("cannot encode " + what + view, e);
        }
    }

    @FunctionalInterface
    private interface JsonWrite {
        void to(JsonGenerator g) throws IOException;
    }

    /** The record key for a view key. */
    public byte[] encodeKey(Object[] key) {
        return write("key", "", g -> {
            if (keySchemaJson != null) {
                g.writeStartObject();
                g.writeFieldName("schema");
                g.writeRawValue(keySchemaJson);
                g.writeFieldName("payload");
                keyFormat.write(g, key);
                g.writeEndObject();
            } else {
                keyFormat.write(g, key);
            }
        });
    }

    /**
     * The view key of a record key.
     *
     * @throws DecodeException if the bytes are not a key of this view
     */
    public Object[] decodeKey(byte[] bytes) {
        if (startsWith(bytes, SCHEMA_PREFIX)) { // {"schema": ..., "payload": {...}} as written with embedded schemas
            try {
                return JsonValues.rowFromJson(keyColumns, Json.mapper().readTree(bytes).get("payload"));
            } catch (IOException e) {
                throw new DecodeException("record key is not JSON: " + e.getMessage(), e);
            }
        }
        return keyFormat.read(bytes);
    }

    /** The record value of a change. */
    public byte[] encodeValue(ChangeEvent e) {
        return write("change of view ", e.view(), g -> {
            if (valueSchemaJson != null) {
                g.writeStartObject();
                g.writeFieldName("schema");
                g.writeRawValue(valueSchemaJson);
                g.writeFieldName("payload");
            }
            g.writeStartObject();
            g.writeFieldName("before");
            if (e.before() == null) {
                g.writeNull();
            } else {
                rowFormat.write(g, e.before());
            }
            g.writeFieldName("after");
            if (e.after() == null) {
                g.writeNull();
            } else {
                rowFormat.write(g, e.after());
            }
            g.writeStringField("op", e.op().code());
            g.writeNumberField("ts_ms", e.tsMs());
            g.writeFieldName("source");
            g.writeRawValue(source(e));
            g.writeEndObject();
            if (valueSchemaJson != null) {
                g.writeEndObject();
            }
        });
    }

    /**
     * The change in a record value.
     *
     * @throws DecodeException if the bytes are not a change envelope of this view
     */
    public ChangeEvent decodeValue(byte[] bytes) {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DecodeException("not a change envelope: expected a JSON object");
            }
            Envelope env = new Envelope();
            readEnvelope(p, env, true);
            if (env.op == null) {
                throw new DecodeException("not a change envelope: no \"op\"");
            }
            return new ChangeEvent(ChangeEvent.Op.fromCode(env.op), env.before, env.after, env.ts,
                    env.view == null ? "" : env.view, env.partition, env.position);
        } catch (IOException | IllegalArgumentException e) {
            throw new DecodeException("not a change envelope: " + e.getMessage(), e);
        }
    }

    /** What an envelope holds, gathered while streaming through it. */
    private static final class Envelope {
        Object[] before;
        Object[] after;
        String op;
        long ts;
        String view;
        int partition;
        Position position = Position.EMPTY;
    }

    /** Reads the fields of the current object; at the top, {@code {"schema", "payload"}} is unwrapped. */
    private void readEnvelope(JsonParser p, Envelope env, boolean top) throws IOException {
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            switch (field) {
                case "payload" -> {
                    if (top && t == JsonToken.START_OBJECT) {
                        readEnvelope(p, env, false);
                    } else {
                        p.skipChildren();
                    }
                }
                case "before" -> env.before = t == JsonToken.VALUE_NULL ? null : rowFormat.read(p);
                case "after" -> env.after = t == JsonToken.VALUE_NULL ? null : rowFormat.read(p);
                case "op" -> env.op = p.getValueAsString();
                case "ts_ms" -> env.ts = p.getValueAsLong();
                case "source" -> {
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    String sf;
                    while ((sf = p.nextFieldName()) != null) {
                        JsonToken st = p.nextToken();
                        switch (sf) {
                            case "view" -> env.view = p.getValueAsString();
                            case "partition" -> env.partition = p.getValueAsInt();
                            case "position" -> env.position = st == JsonToken.VALUE_NULL ? Position.EMPTY
                                    : Position.fromToken(p.getValueAsString());
                            default -> p.skipChildren();
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    // ------------------------------------------------------------------ Connect schemas (embedSchema)

    private static final byte[] SCHEMA_PREFIX = "{\"schema\":".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes != null && bytes.length >= prefix.length
                && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private String envelopeSchema(String prefix) {
        var m = Json.mapper();
        var root = m.createObjectNode().put("type", "struct").put("optional", false).put("name", prefix + ".Envelope");
        var fields = root.putArray("fields");
        for (String side : List.of("before", "after")) {
            var row = (com.fasterxml.jackson.databind.node.ObjectNode) parse(
                    structSchema(schema.columns(), prefix + ".Value", true));
            fields.add(row.put("field", side));
        }
        fields.addObject().put("type", "string").put("optional", false).put("field", "op");
        fields.addObject().put("type", "int64").put("optional", true).put("field", "ts_ms");
        var source = fields.addObject().put("type", "struct").put("optional", false).put("name", "dev.statefront.Source")
                .put("field", "source");
        var sf = source.putArray("fields");
        sf.addObject().put("type", "string").put("optional", false).put("field", "version");
        sf.addObject().put("type", "string").put("optional", false).put("field", "connector");
        sf.addObject().put("type", "string").put("optional", false).put("field", "name");
        sf.addObject().put("type", "int64").put("optional", false).put("field", "ts_ms");
        sf.addObject().put("type", "string").put("optional", false).put("field", "view");
        sf.addObject().put("type", "int32").put("optional", false).put("field", "partition");
        sf.addObject().put("type", "string").put("optional", false).put("field", "position");
        var offsets = sf.addObject().put("type", "array").put("optional", false).put("field", "offsets");
        var item = offsets.putObject("items").put("type", "struct").put("optional", false)
                .put("name", "dev.statefront.Offset");
        var itemFields = item.putArray("fields");
        itemFields.addObject().put("type", "string").put("optional", false).put("field", "topic");
        itemFields.addObject().put("type", "int32").put("optional", false).put("field", "partition");
        itemFields.addObject().put("type", "int64").put("optional", false).put("field", "offset");
        return root.toString();
    }

    /** A Connect struct schema of columns, every field optional (SQL NULL is allowed, even in GROUP BY keys). */
    private static String structSchema(List<Column> columns, String name, boolean optional) {
        var m = Json.mapper();
        var root = m.createObjectNode().put("type", "struct").put("optional", optional).put("name", name);
        var fields = root.putArray("fields");
        for (Column c : columns) {
            var f = fields.addObject();
            switch (c.type().kind()) {
                case BOOLEAN -> f.put("type", "boolean");
                case INT -> f.put("type", "int32");
                case BIGINT -> f.put("type", "int64");
                case DOUBLE -> f.put("type", "double");
                case VARCHAR -> f.put("type", "string");
                case DECIMAL -> {
                    f.put("type", "bytes").put("name", "org.apache.kafka.connect.data.Decimal").put("version", 1);
                    f.putObject("parameters").put("scale", Integer.toString(c.type().scale()));
                }
                case TIMESTAMP -> f.put("type", "string").put("name", "io.debezium.time.ZonedTimestamp").put("version", 1);
                default -> throw new IllegalStateException("unknown kind " + c.type().kind());
            }
            f.put("optional", true).put("field", c.name());
        }
        return root.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The envelope's {@code source} block. The changes of one transaction and view partition share it, so the last
     * one written is kept (an immutable holder: codecs are shared between processing threads).
     */
    private SerializedString source(ChangeEvent e) {
        SourceBlock last = lastSource;
        if (last != null && last.position == e.position() && last.tsMs == e.tsMs() && last.partition == e.partition()
                && last.view.equals(e.view())) {
            return last.json;
        }
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("version", VERSION);
            g.writeStringField("connector", "statefront");
            g.writeStringField("name", appId);
            g.writeNumberField("ts_ms", e.tsMs());
            g.writeStringField("view", e.view());
            g.writeNumberField("partition", e.partition());
            g.writeStringField("position", e.position().token());
            g.writeArrayFieldStart("offsets");
            for (Map.Entry<String, Long> p : e.position().asMap().entrySet()) {
                String k = p.getKey();
                int slash = k.lastIndexOf('/');
                g.writeStartObject();
                g.writeStringField("topic", k.substring(0, slash));
                g.writeNumberField("partition", Integer.parseInt(k.substring(slash + 1)));
                g.writeNumberField("offset", p.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException("cannot encode the source of a change of view " + e.view(), ex);
        }
        // kept encoded: every change of the same flush writes these bytes as they are
        SerializedString json = new SerializedString(out.toString());
        lastSource = new SourceBlock(e.position(), e.tsMs(), e.view(), e.partition(), json);
        return json;
    }

    private record SourceBlock(Position position, long tsMs, String view, int partition, SerializedString json) {
    }
}
