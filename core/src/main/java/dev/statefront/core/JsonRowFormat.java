package dev.statefront.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows of one column list to and from JSON objects with Jackson's streaming API: no tree per record, unknown
 * fields skipped without being built. Decoding follows exactly the rules of {@link JsonValues#fromJson}: the
 * common tokens are read directly, anything else is handed to it (so errors read the same). Thread-safe.
 */
public final class JsonRowFormat {
    private static final JsonFactory FACTORY = Json.mapper().getFactory();

    private final List<Column> columns;
    private final Map<String, Integer> exact = new HashMap<>();
    private final Map<String, Integer> folded = new HashMap<>();
    /** Per column: an unread VARCHAR column, whose strings are skipped unbuilt (any string fits it). */
    private final boolean[] skipStrings;

    /** A format for rows of these columns. */
    public JsonRowFormat(List<Column> columns) {
        this(columns, null);
    }

    /**
     * A format for rows of these columns that builds only the values of the {@code read} ones (all if null):
     * {@link #read(byte[])} leaves a string of any other VARCHAR column NULL without building it. Every value is
     * still checked against its column, so a record is rejected for the same reasons either way.
     */
    public JsonRowFormat(List<Column> columns, BitSet read) {
        this.columns = List.copyOf(columns);
        this.skipStrings = new boolean[this.columns.size()];
        for (int i = 0; i < this.columns.size(); i++) {
            skipStrings[i] = read != null && !read.get(i)
                    && this.columns.get(i).type().kind() == ColumnType.Kind.VARCHAR;
            exact.put(this.columns.get(i).name(), i);
            folded.putIfAbsent(this.columns.get(i).name().toLowerCase(Locale.ROOT), i);
        }
    }

    public List<Column> columns() {
        return columns;
    }

    /**
     * Reads a JSON object: fields by name (exact, then case-insensitive), missing fields NULL, extra fields
     * ignored.
     *
     * @throws DecodeException if the bytes are not JSON, not an object, or a field does not fit its column
     */
    public Object[] read(byte[] json) {
        return read(json, 0, json.length);
    }

    /**
     * Reads one JSON object from {@code json[offset..offset+length)} into a row, as {@link #read(byte[])} does.
     *
     * @throws DecodeException if the bytes are not one JSON object or a field does not fit its column
     */
    public Object[] read(byte[] json, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(json, offset, length)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new DecodeException("expected a JSON object but got nothing");
            }
            Object[] row = read(p);
            if (p.nextToken() != null) {
                throw new DecodeException("malformed JSON: unexpected content after the object");
            }
            return row;
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodeException("unreadable JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the object the parser is positioned on (its START_OBJECT is the current token); leaves the parser
     * on the matching END_OBJECT.
     *
     * @throws DecodeException if it is not an object or a field does not fit its column
     * @throws IOException if the JSON is malformed
     */
    public Object[] read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            JsonNode node = p.readValueAsTree();
            return JsonValues.rowFromJson(columns, node); // throws the usual "expected a JSON object" error
        }
        // The tree rules: an exact-name field wins (the last one if repeated), else the first case-insensitive
        // match; the first failing column in column order is the error. Values that lose are never decoded.
        Object[] row = new Object[columns.size()];
        DecodeException[] errors = null;
        byte[] matched = new byte[columns.size()]; // 0 none, 1 exact, 2 case-insensitive
        String[] foldedNames = null; // which spelling a case-insensitive match took (its repeats override it)
        String name;
        while ((name = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            Integer i = exact.get(name);
            byte how = 1;
            if (i == null) {
                i = folded.get(name.toLowerCase(Locale.ROOT));
                how = 2;
                if (i != null && matched[i] != 0 && (matched[i] == 1 || !name.equals(foldedNames[i]))) {
                    i = null; // an exact match, or an earlier case-insensitive spelling, already counts
                } else if (i != null) {
                    if (foldedNames == null) {
                        foldedNames = new String[columns.size()];
                    }
                    foldedNames[i] = name;
                }
            }
            if (i == null) {
                p.skipChildren();
                continue;
            }
            matched[i] = how;
            if (skipStrings[i] && t == JsonToken.VALUE_STRING) {
                row[i] = null; // nothing to check, nothing to build
                if (errors != null) {
                    errors[i] = null;
                }
                continue;
            }
            try {
                row[i] = value(p, t, columns.get(i));
                if (errors != null) {
                    errors[i] = null;
                }
            } catch (DecodeException e) {
                row[i] = null;
                if (errors == null) {
                    errors = new DecodeException[columns.size()];
                }
                errors[i] = e;
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new DecodeException("malformed JSON object");
        }
        if (errors != null) {
            for (DecodeException e : errors) {
                if (e != null) {
                    throw e;
                }
            }
        }
        return row;
    }

    private static Object value(JsonParser p, JsonToken t, Column c) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        switch (c.type().kind()) {
            case VARCHAR:
                if (t == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                break;
            case BIGINT:
            case TIMESTAMP:
                if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    return p.getLongValue();
                }
                if (t == JsonToken.VALUE_STRING && c.type().kind() == ColumnType.Kind.TIMESTAMP) {
                    return JsonValues.parseTimestamp(p.getText(), c);
                }
                break;
            case INT:
                if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                    return p.getIntValue();
                }
                break;
            case DOUBLE:
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    return p.getDoubleValue();
                }
                break;
            case BOOLEAN:
                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    return t == JsonToken.VALUE_TRUE;
                }
                break;
            default:
                break;
        }
        // everything else (decimals, out-of-range numbers, wrong types) takes the one general path
        return JsonValues.fromJson(p.readValueAsTree(), c);
    }

    /** Writes a row as a JSON object, columns by name in order; TIMESTAMP as ISO-8601. */
    public void write(JsonGenerator g, Object[] row) throws IOException {
        g.writeStartObject();
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            g.writeFieldName(c.name());
            writeValue(g, row[i], c.type());
        }
        g.writeEndObject();
    }

    /** Writes one value of a column type (the streaming twin of {@link JsonValues#toJson}). */
    public static void writeValue(JsonGenerator g, Object v, ColumnType type) throws IOException {
        if (v == null) {
            g.writeNull();
            return;
        }
        switch (type.kind()) {
            case BOOLEAN -> g.writeBoolean((Boolean) v);
            case INT -> g.writeNumber(((Number) v).intValue());
            case BIGINT -> g.writeNumber(((Number) v).longValue());
            case DOUBLE -> {
                double d = ((Number) v).doubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeString(Double.toString(d));
                }
            }
            case DECIMAL -> g.writeNumber((BigDecimal) v);
            case VARCHAR -> g.writeString((String) v);
            case TIMESTAMP -> g.writeString(JsonValues.formatTimestamp(((Number) v).longValue()));
            default -> throw new IllegalStateException("unknown kind " + type.kind());
        }
    }
}
