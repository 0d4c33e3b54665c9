package dev.statefront.gateway.query;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ColumnType;
import dev.statefront.core.KeyCodec;
import java.util.List;

/**
 * A range of encoded keys to scan: {@code lower} inclusive, {@code upper} exclusive, null for unbounded.
 *
 * @param lower the first key (or key prefix) in {@link KeyCodec} encoding; null for the start
 * @param upper the end; null for the end
 */
public record KeyRange(byte[] lower, byte[] upper) {
    /** Every key. */
    public static final KeyRange ALL = new KeyRange(null, null);

    /**
     * The range of scan bounds given as leading key values: {@code from} inclusive, {@code to} exclusive,
     * {@code prefix} on the leading columns (a string prefix when its last column is VARCHAR), narrowed to start at
     * {@code cursor}. Every argument may be null; given ones are intersected.
     *
     * @throws QueryException INVALID_ARGUMENT for a cursor that is not one of this view
     */
    public static KeyRange of(CatalogEntry view, Object[] from, Object[] to, Object[] prefix, String cursor) {
        List<ColumnType> types = view.schema().keyTypes();
        byte[] lower = null;
        byte[] upper = null;
        if (from != null) {
            lower = KeyCodec.encodePrefix(types, from, false);
        }
        if (to != null) {
            upper = KeyCodec.encodePrefix(types, to, false);
        }
        if (prefix != null) {
            boolean stringPrefix = types.get(prefix.length - 1).kind() == ColumnType.Kind.VARCHAR
                    && prefix[prefix.length - 1] != null;
            byte[] start = KeyCodec.encodePrefix(types, prefix, stringPrefix);
            lower = max(lower, start);
            upper = min(upper, KeyCodec.prefixEnd(start));
        }
        if (cursor != null && !cursor.isEmpty()) {
            lower = max(lower, Keys.cursor(view, cursor));
        }
        return new KeyRange(lower, upper);
    }

    /** This range starting at {@code key} or later. */
    public KeyRange from(byte[] key) {
        return new KeyRange(max(lower, key), upper);
    }

    /** True if no key can be in the range. */
    public boolean empty() {
        return lower != null && upper != null && KeyCodec.compare(lower, upper) >= 0;
    }

    private static byte[] max(byte[] a, byte[] b) {
        return a == null ? b : b == null ? a : KeyCodec.compare(a, b) >= 0 ? a : b;
    }

    private static byte[] min(byte[] a, byte[] b) {
        return a == null ? b : b == null ? a : KeyCodec.compare(a, b) <= 0 ? a : b;
    }
}
