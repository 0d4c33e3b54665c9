package dev.statefront.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.DecodeException;
import dev.statefront.core.JsonValues;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Schema;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/** Decodes view keys and key bounds from path segments, query parameters, JSON and cursors, by key column type. */
final class KeyArguments {
    private KeyArguments() {
    }

    /** The key columns of a view, in key order. */
    static List<Column> keyColumns(CatalogEntry view) {
        Schema s = view.schema();
        List<Column> cols = new ArrayList<>(s.keySize());
        for (int k = 0; k < s.keySize(); k++) {
            cols.add(s.column(s.keyIndex(k)));
        }
        return cols;
    }

    /** {@code (region VARCHAR, status VARCHAR)}. */
    static String describeKey(CatalogEntry view) {
        return keyColumns(view).stream().map(Column::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** A full key from text values, one per key column. */
    static Object[] fullKey(CatalogEntry view, List<String> values, String what) {
        List<Column> cols = keyColumns(view);
        if (cols.isEmpty()) {
            throw ApiException.invalid("view '" + view.name() + "' has no key columns, so rows cannot be read by key");
        }
        if (values.size() != cols.size()) {
            throw ApiException.invalid(what + ": view '" + view.name() + "' has key " + describeKey(view) + ", so give "
                    + cols.size() + " value(s), got " + values.size() + " " + values);
        }
        return decodeText(view, cols, values, what);
    }

    /** Values for the leading key columns (1 up to the key's arity), from text. */
    static Object[] leadingKey(CatalogEntry view, List<String> values, String what) {
        List<Column> cols = keyColumns(view);
        if (values.isEmpty() || values.size() > cols.size()) {
            throw ApiException.invalid(what + ": view '" + view.name() + "' has key " + describeKey(view) + ", so give 1 to "
                    + cols.size() + " value(s) in key-column order (repeat the parameter), got " + values.size());
        }
        return decodeText(view, cols, values, what);
    }

    private static Object[] decodeText(CatalogEntry view, List<Column> cols, List<String> values, String what) {
        Object[] key = new Object[values.size()];
        for (int i = 0; i < key.length; i++) {
            try {
                key[i] = JsonValues.fromText(values.get(i), cols.get(i));
            } catch (DecodeException e) {
                throw ApiException.invalid(what + ": " + e.getMessage() + " (view '" + view.name() + "' key "
                        + describeKey(view) + ")");
            }
        }
        return key;
    }

    /** A full key from JSON: an array of values in key order, or a bare value for a single-column key. */
    static Object[] fromJson(CatalogEntry view, JsonNode node, String what) {
        List<Column> cols = keyColumns(view);
        List<JsonNode> parts = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(parts::add);
        } else if (node != null && node.isObject()) {
            for (Column c : cols) {
                JsonNode v = node.get(c.name());
                if (v == null) {
                    throw ApiException.invalid(what + ": key object lacks column '" + c.name() + "' of key "
                            + describeKey(view));
                }
                parts.add(v);
            }
        } else if (node != null && cols.size() == 1) {
            parts.add(node);
        } else {
            throw ApiException.invalid(what + ": view '" + view.name() + "' has key " + describeKey(view)
                    + ", so give an array of " + cols.size() + " values");
        }
        if (parts.size() != cols.size()) {
            throw ApiException.invalid(what + ": view '" + view.name() + "' has key " + describeKey(view) + ", so give "
                    + cols.size() + " value(s), got " + parts.size());
        }
        Object[] key = new Object[parts.size()];
        for (int i = 0; i < key.length; i++) {
            JsonNode v = parts.get(i);
            Column c = cols.get(i);
            try {
                key[i] = v.isTextual() && c.type().kind() != ColumnType.Kind.VARCHAR
                        ? JsonValues.fromText(v.textValue(), c) : JsonValues.fromJson(v, c);
            } catch (DecodeException e) {
                throw ApiException.invalid(what + ": " + e.getMessage());
            }
        }
        return key;
    }

    /** The encoded key a cursor stands for. */
    static byte[] cursor(CatalogEntry view, String cursor) {
        try {
            byte[] key = Base64.getUrlDecoder().decode(cursor);
            KeyCodec.decode(view.schema().keyTypes(), key);
            return key;
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("cursor '" + cursor + "' is not a cursor of view '" + view.name()
                    + "'; pass the next_cursor of a previous page unchanged");
        }
    }

    /** The cursor for an encoded key. */
    static String cursorOf(byte[] key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }
}
