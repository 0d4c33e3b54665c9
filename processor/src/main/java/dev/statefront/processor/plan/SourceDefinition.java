package dev.statefront.processor.plan;

import dev.statefront.core.Column;
import dev.statefront.core.Schema;
import java.util.List;
import java.util.Map;

/**
 * A declared source: {@code CREATE SOURCE name (...) WITH (...)} (append-only stream) or
 * {@code CREATE TABLE name (... PRIMARY KEY) WITH (...)} (upsert table, a later issue).
 *
 * @param name the SQL name
 * @param topic the Kafka topic ({@code topic} option; defaults to the name)
 * @param format the value format ({@code format} option): {@code json}
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

    /** The columns with the declared key columns as key. */
    public Schema schema() {
        return Schema.of(columns, keyColumns);
    }
}
