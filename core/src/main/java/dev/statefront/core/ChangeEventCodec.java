package dev.statefront.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = Json.mapper().getFactory();

    private final String appId;
    private final Schema schema;
    private final List<Column> keyColumns;
    private final JsonRowFormat rowFormat;
    private final JsonRowFormat keyFormat;
    /** The last position encoded and its token: one flush stamps many changes with the same position. */
    private volatile Object[] lastToken = {null, null};

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
        this.rowFormat = new JsonRowFormat(schema.columns());
        this.keyFormat = new JsonRowFormat(keyColumns);
    }

    /** The record key for a view key. */
    public byte[] encodeKey(Object[] key) {
        var out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(64);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            keyFormat.write(g, key);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode key", e);
        }
        return out.toByteArray();
    }

    /**
     * The view key of a record key.
     *
     * @throws DecodeException if the bytes are not a key of this view
     */
    public Object[] decodeKey(byte[] bytes) {
        return keyFormat.read(bytes);
    }

    /** The record value of a change. */
    public byte[] encodeValue(ChangeEvent e) {
        var out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
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
            g.writeObjectFieldStart("source");
            g.writeStringField("version", VERSION);
            g.writeStringField("connector", "statefront");
            g.writeStringField("name", appId);
            g.writeNumberField("ts_ms", e.tsMs());
            g.writeStringField("view", e.view());
            g.writeNumberField("partition", e.partition());
            g.writeStringField("position", token(e.position()));
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
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException("cannot encode change of view " + e.view(), ex);
        }
        return out.toByteArray();
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
            Object[] before = null;
            Object[] after = null;
            String op = null;
            long ts = 0;
            String view = null;
            int partition = 0;
            Position position = Position.EMPTY;
            String field;
            while ((field = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (field) {
                    case "before" -> before = t == JsonToken.VALUE_NULL ? null : rowFormat.read(p);
                    case "after" -> after = t == JsonToken.VALUE_NULL ? null : rowFormat.read(p);
                    case "op" -> op = p.getValueAsString();
                    case "ts_ms" -> ts = p.getValueAsLong();
                    case "source" -> {
                        if (t != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        String sf;
                        while ((sf = p.nextFieldName()) != null) {
                            JsonToken st = p.nextToken();
                            switch (sf) {
                                case "view" -> view = p.getValueAsString();
                                case "partition" -> partition = p.getValueAsInt();
                                case "position" -> position = st == JsonToken.VALUE_NULL ? Position.EMPTY
                                        : Position.fromToken(p.getValueAsString());
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (op == null) {
                throw new DecodeException("not a change envelope: no \"op\"");
            }
            return new ChangeEvent(ChangeEvent.Op.fromCode(op), before, after, ts, view == null ? "" : view,
                    partition, position);
        } catch (IOException | IllegalArgumentException e) {
            throw new DecodeException("not a change envelope: " + e.getMessage(), e);
        }
    }

    private String token(Position position) {
        Object[] last = lastToken;
        if (last[0] == position) {
            return (String) last[1];
        }
        String token = position.token();
        lastToken = new Object[] {position, token};
        return token;
    }
}
