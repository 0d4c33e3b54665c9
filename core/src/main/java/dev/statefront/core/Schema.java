package dev.statefront.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The columns of a source or a view and which of them form the primary key, in key order.
 * Immutable.
 */
public final class Schema {
    private final List<Column> columns;
    private final int[] keyIndexes;
    private final List<ColumnType> keyTypes;
    private final Map<String, Integer> byName;

    private Schema(List<Column> columns, int[] keyIndexes) {
        this.columns = List.copyOf(columns);
        this.keyIndexes = keyIndexes.clone();
        this.byName = new HashMap<>();
        for (int i = 0; i < this.columns.size(); i++) {
            String key = this.columns.get(i).name().toLowerCase(Locale.ROOT);
            if (byName.putIfAbsent(key, i) != null) {
                throw new IllegalArgumentException("duplicate column '" + this.columns.get(i).name() + "'");
            }
        }
        List<ColumnType> kt = new ArrayList<>();
        for (int k : this.keyIndexes) {
            if (k < 0 || k >= this.columns.size()) {
                throw new IllegalArgumentException("key index " + k + " out of range for " + this.columns.size()
                        + " columns");
            }
            kt.add(this.columns.get(k).type());
        }
        this.keyTypes = Collections.unmodifiableList(kt);
    }

    /**
     * A schema with the given columns and key columns (names, in key order; may be empty for keyless).
     *
     * @throws IllegalArgumentException on duplicate columns or an unknown key column
     */
    public static Schema of(List<Column> columns, List<String> keyColumns) {
        Schema probe = new Schema(columns, new int[0]);
        int[] idx = new int[keyColumns.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = probe.indexOf(keyColumns.get(i));
            if (idx[i] < 0) {
                throw new IllegalArgumentException("key column '" + keyColumns.get(i) + "' is not a column; columns are: "
                        + probe.columnNames());
            }
        }
        return new Schema(columns, idx);
    }

    public List<Column> columns() {
        return columns;
    }

    public int size() {
        return columns.size();
    }

    public Column column(int i) {
        return columns.get(i);
    }

    /** Index of a column by case-insensitive name, or -1. */
    public int indexOf(String name) {
        Integer i = byName.get(name.toLowerCase(Locale.ROOT));
        return i == null ? -1 : i;
    }

    /** Indexes of the key columns, in key order. A copy. */
    public int[] keyIndexes() {
        return keyIndexes.clone();
    }

    public int keySize() {
        return keyIndexes.length;
    }

    public int keyIndex(int k) {
        return keyIndexes[k];
    }

    /** Types of the key columns, in key order. */
    public List<ColumnType> keyTypes() {
        return keyTypes;
    }

    public List<String> keyColumnNames() {
        List<String> names = new ArrayList<>(keyIndexes.length);
        for (int k : keyIndexes) {
            names.add(columns.get(k).name());
        }
        return names;
    }

    public String columnNames() {
        return columns.stream().map(Column::name).collect(Collectors.joining(", "));
    }

    /** The key values of a full row, in key order. */
    public Object[] keyOf(Object[] row) {
        Object[] key = new Object[keyIndexes.length];
        for (int i = 0; i < keyIndexes.length; i++) {
            key[i] = row[keyIndexes[i]];
        }
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && s.columns.equals(columns) && java.util.Arrays.equals(s.keyIndexes, keyIndexes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, java.util.Arrays.hashCode(keyIndexes));
    }

    @Override
    public String toString() {
        return "(" + columns.stream().map(Column::toString).collect(Collectors.joining(", ")) + ") KEY "
                + keyColumnNames();
    }
}
