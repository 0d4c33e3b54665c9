package dev.statefront.core;

import java.util.Objects;

/**
 * A named, typed column.
 *
 * @param name the column name as declared (case preserved; lookups are case-insensitive)
 * @param type the SQL type
 */
public record Column(String name, ColumnType type) {
    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    @Override
    public String toString() {
        return name + " " + type;
    }
}
