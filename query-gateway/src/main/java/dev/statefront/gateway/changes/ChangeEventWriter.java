package dev.statefront.gateway.changes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Schema;
import dev.statefront.state.server.SubscriptionEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes subscription events in one of the two wire formats. Event JSON (both formats):
 * <pre>{"type": "change", "op": "c|u|d|r", "key": {...}, "before": {...}|null, "after": {...}|null, "ts_ms": ...,
 *  "source": {"view": "v", "partition": 0, "offset": 42, "position": "p1..."}, "token": "c1..."}</pre>
 * SSE: {@code event:} is the type, {@code id:} the token (absent for snapshot rows), {@code data:} the JSON.
 * NDJSON: the JSON, one per line.
 */
abstract class ChangeEventWriter {
    static final String SSE = "text/event-stream";
    static final String NDJSON = "application/x-ndjson";

    private final String view;
    private final List<Column> columns;
    private final List<Column> keyColumns;

    ChangeEventWriter(CatalogEntry entry) {
        this.view = entry.name();
        Schema s = entry.schema();
        this.columns = s.columns();
        List<Column> keys = new ArrayList<>(s.keySize());
        for (int k = 0; k < s.keySize(); k++) {
            keys.add(s.column(s.keyIndex(k)));
        }
        this.keyColumns = keys;
    }

    static ChangeEventWriter sse(CatalogEntry entry) {
        return new ChangeEventWriter(entry) {
            @Override
            String contentType() {
                return SSE + ";charset=utf-8";
            }

            @Override
            void write(OutputStream out, String type, String id, ObjectNode json) throws IOException {
                StringBuilder sb = new StringBuilder(256).append("event: ").append(type).append('\n');
                if (id != null) {
                    sb.append("id: ").append(id).append('\n');
                }
                sb.append("data: ").append(Json.mapper().writeValueAsString(json)).append("\n\n");
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            }

            @Override
            void open(OutputStream out) throws IOException {
                // how long an EventSource waits before reconnecting (with Last-Event-ID)
                out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    static ChangeEventWriter ndjson(CatalogEntry entry) {
        return new ChangeEventWriter(entry) {
            @Override
            String contentType() {
                return NDJSON;
            }

            @Override
            void write(OutputStream out, String type, String id, ObjectNode json) throws IOException {
                byte[] line = Json.mapper().writeValueAsBytes(json);
                out.write(line);
                out.write('\n');
            }
        };
    }

    abstract String contentType();

    abstract void write(OutputStream out, String type, String id, ObjectNode json) throws IOException;

    void open(OutputStream out) throws IOException {
    }

    /** Writes one subscription event (not END: see {@link #error}). */
    void event(OutputStream out, SubscriptionEvent e) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        if (e.type() == SubscriptionEvent.Type.SNAPSHOT_COMPLETE) {
            json.put("type", "snapshot_complete");
            json.put("view", view);
            json.put("position", e.position().token());
            json.put("token", e.token());
            write(out, "snapshot_complete", e.token(), json);
            return;
        }
        json.put("type", "change");
        json.put("op", e.op().code());
        json.set("key", JsonValues.rowToJson(keyColumns, e.key()));
        json.set("before", e.before() == null ? json.nullNode() : JsonValues.rowToJson(columns, e.before()));
        json.set("after", e.after() == null ? json.nullNode() : JsonValues.rowToJson(columns, e.after()));
        json.put("ts_ms", e.tsMs());
        ObjectNode source = json.putObject("source");
        source.put("view", view);
        source.put("partition", e.partition());
        if (e.offset() >= 0) {
            source.put("offset", e.offset());
            source.put("position", e.position().token());
        }
        if (e.token() != null) {
            json.put("token", e.token());
        }
        write(out, "change", e.token(), json);
    }

    /** A heartbeat on an idle stream, carrying the token that resumes after everything delivered so far. */
    void heartbeat(OutputStream out, String token, long nowMs) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("type", "heartbeat");
        json.put("ts_ms", nowMs);
        if (token != null) {
            json.put("token", token);
        }
        write(out, "heartbeat", token, json);
    }

    /** The last event of a stream that ends: why, and what to do. */
    void error(OutputStream out, String code, String message, String token) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("type", "error");
        ObjectNode error = json.putObject("error");
        error.put("code", code);
        error.put("message", message);
        ObjectNode details = error.putObject("details");
        if (token != null) {
            details.put("token", token);
        }
        write(out, "error", null, json);
    }
}
