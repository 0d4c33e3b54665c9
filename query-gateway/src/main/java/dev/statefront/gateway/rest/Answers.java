package dev.statefront.gateway.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ViewDescription;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Builders of the v1 answer shapes (Jackson trees; no per-row reflection). */
final class Answers {
    private Answers() {
    }

    static ObjectNode object() {
        return Json.mapper().createObjectNode();
    }

    /** Adds {@code "position"} and {@code "freshness": {"lag_ms", "as_of"}} (nulls when unknown). */
    static ObjectNode withReadState(ObjectNode answer, Position position, Freshness freshness) {
        answer.put("position", position.token());
        ObjectNode f = answer.putObject("freshness");
        if (freshness != null && freshness.known()) {
            f.put("lag_ms", freshness.lagMs());
            f.put("as_of", JsonValues.formatTimestamp(freshness.asOfMs()));
        } else {
            f.putNull("lag_ms");
            f.putNull("as_of");
        }
        return answer;
    }

    /** A row as an object of columns by name, typed values. */
    static ObjectNode row(CatalogEntry view, Object[] row) {
        return JsonValues.rowToJson(view.schema().columns(), row);
    }

    /** A key as an object of the key columns by name. */
    static ObjectNode key(CatalogEntry view, Object[] key) {
        return JsonValues.rowToJson(dev.statefront.gateway.query.Keys.keyColumns(view), key);
    }

    static ArrayNode columns(CatalogEntry entry) {
        ArrayNode cols = Json.mapper().createArrayNode();
        Set<String> key = new HashSet<>(entry.schema().keyColumnNames());
        for (Column c : entry.schema().columns()) {
            cols.addObject().put("name", c.name()).put("type", c.type().toString()).put("key", key.contains(c.name()));
        }
        return cols;
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode arr = Json.mapper().createArrayNode();
        values.forEach(arr::add);
        return arr;
    }

    /** A view's catalog entry, with its row count when known. */
    static ObjectNode view(CatalogEntry entry, ViewDescription description, boolean withPartitions) {
        ObjectNode v = object();
        v.put("view", entry.name());
        v.set("columns", columns(entry));
        v.set("key", strings(entry.schema().keyColumnNames()));
        v.put("partitions", entry.partitions());
        if (description != null) {
            v.put("row_count", description.rowCount());
        }
        v.put("sql", entry.sql());
        v.put("topic", entry.topic());
        v.set("sources", strings(entry.sources()));
        if (withPartitions && description != null) {
            ArrayNode parts = v.putArray("partition_states");
            for (PartitionStatus s : description.partitions()) {
                ObjectNode p = parts.addObject();
                p.put("partition", s.partition());
                p.put("row_count", s.rowCount());
                p.put("next_offset", s.nextOffset());
                p.put("position", s.position().token());
                if (s.asOfMs() >= 0) {
                    p.put("as_of", JsonValues.formatTimestamp(s.asOfMs()));
                } else {
                    p.putNull("as_of");
                }
            }
        }
        return v;
    }

    /** A source's catalog entry. */
    static ObjectNode source(CatalogEntry entry) {
        ObjectNode s = object();
        s.put("source", entry.name());
        s.set("columns", columns(entry));
        s.set("key", strings(entry.schema().keyColumnNames()));
        s.put("topic", entry.topic());
        s.put("partitions", entry.partitions());
        s.put("sql", entry.sql());
        ObjectNode opts = s.putObject("options");
        new java.util.TreeMap<>(entry.options()).forEach(opts::put);
        return s;
    }

    /** {@code {"error": {"code", "message", "details"}}}. */
    static ObjectNode error(ErrorCode code, String message, ObjectNode details) {
        ObjectNode root = object();
        ObjectNode e = root.putObject("error");
        e.put("code", code.name());
        e.put("message", message);
        e.set("details", details == null ? object() : details);
        return root;
    }
}
