package dev.statefront.processor.plan;

import dev.statefront.core.Column;
import dev.statefront.core.Schema;
import java.util.List;
import java.util.Map;

/**
 * A declared source: {@code CREATE SOURCE name (...) WITH (...)} (append-only stream) or
 * {@code CREATE TABLE name (... PRIMARY KEY) WITH (...)} (upsert table: the latest value of each key counts,
 * a null value deletes the key).
 *
 * @param name the SQL name
 * @param topic the Kafka topic ({@code topic} option; defaults to the name)
 * @param format the value format ({@code format} option): {@code json} or {@code debezium-json}
 * @param columns the declared columns, in order
 * @param keyColumns the column the topic's record key holds ({@code key} option, or the PRIMARY KEY of a
 *                   table); empty when the record key carries no declared meaning
 * @param table true for CREATE TABLE (upsert semantics)
 * @param timestampColumn the event-time column ({@code timestamp} option), or null
 * @param options every WITH option, keys lower-cased
 * @param sql the statement text
 */
public record SourceDefinition(String name, String topic, String format, List<Column> columns,
                               List<String> keyColumns, boolean table, String timestampColumn,
                               Map<String, String> options, String sql) {
    public SourceDefinition {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        options = Map.copyOf(options);
    }

    /** Value format of plain JSON rows. */
    public static final String JSON = "json";
    /** Value format of Debezium change envelopes ({@code before}, {@code after}, {@code op}). */
    public static final String DEBEZIUM_JSON = "debezium-json";
    /** The {@code connector} option value of a table fed from PostgreSQL by the ingest role. */
    public static final String POSTGRES_CDC = "postgres-cdc";

    /**
     * True when rows can leave the source again (a table, or Debezium envelopes with updates and deletes), so
     * aggregates must be able to retract any value they took in.
     */
    public boolean retracting() {
        return table || DEBEZIUM_JSON.equals(format);
    }

    /**
     * True when producers key records by the plain value of the single key column, as Kafka's default
     * partitioner would hash it; Debezium keys records by a JSON object of the key columns instead.
     */
    public boolean plainKeyed() {
        return JSON.equals(format);
    }

    /** The {@code connector} option (lower-cased), or null when records are produced to the topic by others. */
    public String connector() {
        String c = options.get("connector");
        return c == null ? null : c.toLowerCase(java.util.Locale.ROOT);
    }

    /** The columns with the declared key columns as key. */
    public Schema schema() {
        return Schema.of(columns, keyColumns);
    }
}
