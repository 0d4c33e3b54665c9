package dev.statefront.gateway.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.DecodeException;
import dev.statefront.core.JsonValues;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decodes view keys and key bounds, by key column type, from text (URL path segments and query parameters), JSON
 * and typed values, and cursors from and to their opaque form. Every failure is an INVALID_ARGUMENT
 * {@link QueryException} naming the field, the view and its key.
 *
 * <p>Typed values are the Java forms of the gRPC {@code Value} kinds: {@link Boolean}, {@link Long} (int64),
 * {@link Double}, {@link BigDecimal} (decimal), {@link String}, {@link Instant} (timestamp), or null.
 */
public final class Keys {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Keys() {
    }

    /** The key columns of a view, in key order. */
    public static List<Column> keyColumns(CatalogEntry view) {
        Schema s = view.schema();
        List<Column> cols = new ArrayList<>(s.keySize());
        for (int k = 0; k < s.keySize(); k++) {
            cols.add(s.column(s.keyIndex(k)));
        }
        return cols;
    }

    /** {@code (region VARCHAR, status VARCHAR)}. */
    public static String describeKey(CatalogEntry view) {
        return keyColumns(view).stream().map(Column::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    // ------------------------------------------------------------------ text

    /** A full key from text values, one per key column. */
    public static Object[] fullKeyFromText(CatalogEntry view, List<String> values, String field) {
        List<Column> cols = checkFullArity(view, values.size(), field, values.toString());
        return decodeText(view, cols, values, field);
    }

    /** Values for the leading key columns (1 up to the key's arity), from text. */
    public static Object[] leadingKeyFromText(CatalogEntry view, List<String> values, String field) {
        List<Column> cols = checkLeadingArity(view, values.size(), field, " (repeat the parameter)");
        return decodeText(view, cols, values, field);
    }

    private static Object[] decodeText(CatalogEntry view, List<Column> cols, List<String> values, String field) {
        Object[] key = new Object[values.size()];
        for (int i = 0; i < key.length; i++) {
            try {
                key[i] = JsonValues.fromText(values.get(i), cols.get(i));
            } catch (DecodeException e) {
                throw QueryException.invalid(field, field + ": " + e.getMessage() + " (view '" + view.name()
                        + "' key " + describeKey(view) + ")");
            }
        }
        return key;
    }

    // ------------------------------------------------------------------ JSON

    /** A full key from JSON: an array of values in key order, an object by column, or a bare value for one column. */
    public static Object[] fullKeyFromJson(CatalogEntry view, JsonNode node, String field) {
        List<Column> cols = keyColumns(view);
        List<JsonNode> parts = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(parts::add);
        } else if (node != null && node.isObject()) {
            for (Column c : cols) {
                JsonNode v = node.get(c.name());
                if (v == null) {
                    throw QueryException.invalid(field, field + ": key object lacks column '" + c.name()
                            + "' of key " + describeKey(view));
                }
                parts.add(v);
            }
        } else if (node != null && cols.size() == 1) {
            parts.add(node);
        } else {
            throw QueryException.invalid(field, field + ": view '" + view.name() + "' has key " + describeKey(view)
                    + ", so give an array of " + cols.size() + " values");
        }
        checkFullArity(view, parts.size(), field, null);
        Object[] key = new Object[parts.size()];
        for (int i = 0; i < key.length; i++) {
            JsonNode v = parts.get(i);
            Column c = cols.get(i);
            try {
                key[i] = v.isTextual() && c.type().kind() != ColumnType.Kind.VARCHAR
                        ? JsonValues.fromText(v.textValue(), c) : JsonValues.fromJson(v, c);
            } catch (DecodeException e) {
                throw QueryException.invalid(field, field + ": " + e.getMessage());
            }
        }
        return key;
    }

    // ------------------------------------------------------------------ typed

    /** A full key from typed values, one per key column, in key order. */
    public static Object[] fullKey(CatalogEntry view, List<?> values, String field) {
        List<Column> cols = checkFullArity(view, values.size(), field, null);
        return coerce(view, cols, values, field);
    }

    /** Values for the leading key columns (1 up to the key's arity), typed. */
    public static Object[] leadingKey(CatalogEntry view, List<?> values, String field) {
        List<Column> cols = checkLeadingArity(view, values.size(), field, "");
        return coerce(view, cols, values, field);
    }

    private static Object[] coerce(CatalogEntry view, List<Column> cols, List<?> values, String field) {
        Object[] key = new Object[values.size()];
        for (int i = 0; i < key.length; i++) {
            key[i] = coerce(view, cols.get(i), values.get(i), field + "[" + i + "]");
        }
        return key;
    }

    /**
     * A typed value (see the class comment) as the Java value of a column of a view or source.
     *
     * @throws QueryException INVALID_ARGUMENT naming the field and column when the kind does not fit the type
     */
    public static Object coerce(CatalogEntry view, Column c, Object v, String field) {
        if (v == null) {
            return null;
        }
        ColumnType.Kind kind = c.type().kind();
        try {
            switch (kind) {
                case BOOLEAN:
                    if (v instanceof Boolean) {
                        return v;
                    }
                    break;
                case INT:
                    if (v instanceof Long l) {
                        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                            throw QueryException.invalid(field, field + ": key column '" + c.name()
                                    + "' is INT but " + l + " is out of range (view '" + view.name() + "')");
                        }
                        return (int) (long) l;
                    }
                    break;
                case BIGINT:
                    if (v instanceof Long) {
                        return v;
                    }
                    break;
                case DOUBLE:
                    if (v instanceof Double) {
                        return v;
                    }
                    if (v instanceof Long l) {
                        return (double) l;
                    }
                    break;
                case DECIMAL:
                    if (v instanceof BigDecimal d) {
                        return JsonValues.fromJson(NODES.numberNode(d), c);
                    }
                    if (v instanceof Long l) {
                        return JsonValues.fromJson(NODES.numberNode(BigDecimal.valueOf(l)), c);
                    }
                    break;
                case VARCHAR:
                    if (v instanceof String) {
                        return v;
                    }
                    break;
                case TIMESTAMP:
                    if (v instanceof Instant t) {
                        return t.toEpochMilli();
                    }
                    break;
                default:
                    break;
            }
        } catch (DecodeException e) {
            throw QueryException.invalid(field, field + ": " + e.getMessage() + " (view '" + view.name() + "')");
        }
        String owner = view.kind().name().toLowerCase(java.util.Locale.ROOT) + " '" + view.name() + "'";
        throw QueryException.invalid(field, field + ": column '" + c.name() + "' of " + owner + " is " + c.type()
                + " but got " + kindName(v) + " " + v + (view.schema().keySize() > 0 ? "; key is " + describeKey(view)
                : ""));
    }

    /** The gRPC Value kind a Java value stands for, for messages. */
    static String kindName(Object v) {
        if (v instanceof Boolean) {
            return "bool_value";
        } else if (v instanceof Long) {
            return "int64_value";
        } else if (v instanceof Double) {
            return "double_value";
        } else if (v instanceof BigDecimal) {
            return "decimal_value";
        } else if (v instanceof String) {
            return "string_value";
        } else if (v instanceof Instant) {
            return "timestamp_value";
        }
        return v == null ? "null_value" : v.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ arity

    private static List<Column> checkFullArity(CatalogEntry view, int given, String field, String shown) {
        List<Column> cols = keyColumns(view);
        if (cols.isEmpty()) {
            throw QueryException.invalid(field, "view '" + view.name() + "' has no key columns, so rows cannot be "
                    + "read by key");
        }
        if (given != cols.size()) {
            throw QueryException.invalid(field, field + ": view '" + view.name() + "' has key " + describeKey(view)
                    + ", so give " + cols.size() + " value(s), got " + given + (shown == null ? "" : " " + shown));
        }
        return cols;
    }

    private static List<Column> checkLeadingArity(CatalogEntry view, int given, String field, String hint) {
        List<Column> cols = keyColumns(view);
        if (given == 0 || given > cols.size()) {
            throw QueryException.invalid(field, field + ": view '" + view.name() + "' has key " + describeKey(view)
                    + ", so give 1 to " + cols.size() + " value(s) in key-column order" + hint + ", got " + given);
        }
        return cols;
    }

    // ------------------------------------------------------------------ cursors

    /** The encoded key a cursor stands for. */
    public static byte[] cursor(CatalogEntry view, String cursor) {
        try {
            byte[] key = Base64.getUrlDecoder().decode(cursor);
            KeyCodec.decode(view.schema().keyTypes(), key);
            return key;
        } catch (IllegalArgumentException e) {
            throw QueryException.invalid("cursor", "cursor '" + cursor + "' is not a cursor of view '" + view.name()
                    + "'; pass the next_cursor of a previous page unchanged");
        }
    }

    /** The cursor for an encoded key. */
    public static String cursorOf(byte[] key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
