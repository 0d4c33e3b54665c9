package dev.statefront.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A source or view as published on the catalog topic ({@link Topics#catalog}), keyed by
 * {@link #catalogKey()}. This is how roles that share no files (processor, state servers, gateway) agree on
 * names, schemas, topics and partition counts.
 *
 * @param kind source or view
 * @param name the SQL name
 * @param sql the statement that defined it
 * @param schema columns and key columns (a source without a declared key has none)
 * @param topic the Kafka topic: a source's input topic, or a view's change topic
 * @param partitions the topic's partition count
 * @param sources for a view, the sources it reads; empty for a source
 * @param options for a source, its WITH options (format, timestamp, ...); empty for a view
 */
public record CatalogEntry(Kind kind, String name, String sql, Schema schema, String topic, int partitions,
                           List<String> sources, Map<String, String> options) {

    /** What a catalog entry describes. */
    public enum Kind { SOURCE, VIEW }

    public CatalogEntry {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(topic, "topic");
        sources = List.copyOf(sources);
        options = Map.copyOf(options);
    }

    /** The record key on the catalog topic: {@code source:name} or {@code view:name}. */
    public String catalogKey() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }

    /** The JSON record value. */
    public byte[] toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        root.put("name", name);
        root.put("sql", sql);
        root.put("topic", topic);
        root.put("partitions", partitions);
        ArrayNode cols = root.putArray("columns");
        for (Column c : schema.columns()) {
            cols.addObject().put("name", c.name()).put("type", c.type().toString());
        }
        ArrayNode key = root.putArray("key");
        schema.keyColumnNames().forEach(key::add);
        ArrayNode src = root.putArray("sources");
        sources.forEach(src::add);
        ObjectNode opts = root.putObject("options");
        new java.util.TreeMap<>(options).forEach(opts::put);
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode catalog entry " + name, e);
        }
    }

    /**
     * Reads a JSON record value.
     *
     * @throws DecodeException if it is not a catalog entry
     */
    public static CatalogEntry fromJson(byte[] bytes) {
        try {
            JsonNode root = Json.mapper().readTree(bytes);
            List<Column> columns = new ArrayList<>();
            for (JsonNode c : root.path("columns")) {
                columns.add(new Column(c.path("name").asText(), ColumnType.parse(c.path("type").asText())));
            }
            List<String> key = new ArrayList<>();
            root.path("key").forEach(k -> key.add(k.asText()));
            List<String> sources = new ArrayList<>();
            root.path("sources").forEach(s -> sources.add(s.asText()));
            Map<String, String> options = new LinkedHashMap<>();
            root.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
            return new CatalogEntry(Kind.valueOf(root.path("kind").asText().toUpperCase(java.util.Locale.ROOT)),
                    root.path("name").asText(), root.path("sql").asText(), Schema.of(columns, key),
                    root.path("topic").asText(), root.path("partitions").asInt(), sources, options);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("not a catalog entry: " + e.getMessage(), e);
        }
    }
}
