package dev.statefront.state.sink;

import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Schema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The SQL of one mirrored view: DDL, the upsert and delete statements, parameter binding; identifiers quoted. */
final class PostgresTable {
    private final PostgresSinkConfig config;
    private final Schema schema;
    private final List<Column> columns;
    private final List<Column> keyColumns;
    private final String qualified;
    private final String offsets;

    PostgresTable(PostgresSinkConfig config, Schema schema) {
        this.config = config;
        this.schema = schema;
        this.columns = schema.columns();
        List<Column> keys = new ArrayList<>();
        for (int k = 0; k < schema.keySize(); k++) {
            keys.add(schema.column(schema.keyIndex(k)));
        }
        this.keyColumns = keys;
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("sink '" + config.name() + "': view '" + config.view()
                    + "' has no key columns, so it cannot be mirrored with a primary key");
        }
        for (Column c : columns) {
            PostgresSinkConfig.requireIdentifier(c.name(), "sink '" + config.name() + "': column of view '"
                    + config.view() + "'");
        }
        this.qualified = quote(config.schemaName()) + "." + quote(config.tableName());
        this.offsets = quote(config.schemaName()) + "." + quote(PostgresSinkConfig.OFFSETS_TABLE);
    }

    static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    static String sqlType(ColumnType t) {
        return switch (t.kind()) {
            case BOOLEAN -> "boolean";
            case INT -> "integer";
            case BIGINT -> "bigint";
            case DOUBLE -> "double precision";
            case DECIMAL -> "numeric(" + t.precision() + "," + t.scale() + ")";
            case VARCHAR -> "text";
            case TIMESTAMP -> "timestamp with time zone";
        };
    }

    /** Creates the table (matching types, the view key as primary key) and the offsets table when absent. */
    void ensure(Connection c) throws SQLException {
        String cols = columns.stream().map(col -> quote(col.name()) + " " + sqlType(col.type())
                + (keyColumns.contains(col) ? " NOT NULL" : "")).collect(Collectors.joining(", "));
        try (Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(config.schemaName()));
            st.execute("CREATE TABLE IF NOT EXISTS " + qualified + " (" + cols + ", PRIMARY KEY (" + keyList() + "))");
            st.execute("CREATE TABLE IF NOT EXISTS " + offsets + " (sink text NOT NULL, topic text NOT NULL, "
                    + "partition integer NOT NULL, next_offset bigint NOT NULL, applied_changes bigint NOT NULL, "
                    + "updated_at timestamp with time zone NOT NULL DEFAULT now(), PRIMARY KEY (sink, topic, partition))");
        }
        Set<String> present = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, config.schemaName());
            ps.setString(2, config.tableName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        List<String> missing = columns.stream().map(Column::name).filter(n -> !present.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new SinkException("sink '" + config.name() + "': existing table " + config.table()
                    + " lacks columns " + missing + " of view '" + config.view() + "' " + schema.columns()
                    + "; drop it (it is created when absent) or choose another table", null);
        }
    }

    private String keyList() {
        return keyColumns.stream().map(k -> quote(k.name())).collect(Collectors.joining(", "));
    }

    String upsertSql() {
        String names = columns.stream().map(col -> quote(col.name())).collect(Collectors.joining(", "));
        String params = columns.stream().map(col -> "?").collect(Collectors.joining(", "));
        List<Column> values = columns.stream().filter(col -> !keyColumns.contains(col)).toList();
        String action = values.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + values.stream()
                .map(col -> quote(col.name()) + " = EXCLUDED." + quote(col.name())).collect(Collectors.joining(", "));
        return "INSERT INTO " + qualified + " (" + names + ") VALUES (" + params + ") ON CONFLICT (" + keyList() + ") "
                + action;
    }

    String deleteSql() {
        return "DELETE FROM " + qualified + " WHERE " + keyColumns.stream().map(k -> quote(k.name()) + " = ?")
                .collect(Collectors.joining(" AND "));
    }

    String loadOffsetsSql() {
        return "SELECT partition, next_offset FROM " + offsets + " WHERE sink = ? AND topic = ?";
    }

    String saveOffsetSql() {
        return "INSERT INTO " + offsets + " AS o (sink, topic, partition, next_offset, applied_changes) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sink, topic, partition) DO UPDATE SET "
                + "next_offset = EXCLUDED.next_offset, applied_changes = o.applied_changes + EXCLUDED.applied_changes, "
                + "updated_at = now()";
    }

    void bindRow(PreparedStatement ps, Object[] row) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            bind(ps, i + 1, columns.get(i).type(), row[i]);
        }
    }

    void bindKey(PreparedStatement ps, Object[] key) throws SQLException {
        for (int i = 0; i < keyColumns.size(); i++) {
            bind(ps, i + 1, keyColumns.get(i).type(), key[i]);
        }
    }

    private static void bind(PreparedStatement ps, int i, ColumnType t, Object v) throws SQLException {
        switch (t.kind()) {
            case BOOLEAN -> {
                if (v == null) {
                    ps.setNull(i, Types.BOOLEAN);
                } else {
                    ps.setBoolean(i, (Boolean) v);
                }
            }
            case INT -> {
                if (v == null) {
                    ps.setNull(i, Types.INTEGER);
                } else {
                    ps.setInt(i, ((Number) v).intValue());
                }
            }
            case BIGINT -> {
                if (v == null) {
                    ps.setNull(i, Types.BIGINT);
                } else {
                    ps.setLong(i, ((Number) v).longValue());
                }
            }
            case DOUBLE -> {
                if (v == null) {
                    ps.setNull(i, Types.DOUBLE);
                } else {
                    ps.setDouble(i, ((Number) v).doubleValue());
                }
            }
            case DECIMAL -> ps.setBigDecimal(i, (BigDecimal) v);
            case VARCHAR -> ps.setString(i, (String) v);
            case TIMESTAMP -> {
                if (v == null) {
                    ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    ps.setObject(i, OffsetDateTime.ofInstant(Instant.ofEpochMilli(((Number) v).longValue()),
                            ZoneOffset.UTC));
                }
            }
        }
    }
}
