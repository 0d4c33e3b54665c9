package dev.statefront.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.gateway.changes.ChangeSource;
import dev.statefront.gateway.query.EntityContext;
import dev.statefront.gateway.query.KeyRange;
import dev.statefront.gateway.query.Keys;
import dev.statefront.gateway.query.QueryException;
import dev.statefront.gateway.query.ReadAnswer;
import dev.statefront.gateway.query.ScanPage;
import dev.statefront.gateway.query.ViewList;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.SubscribeRequest;
import dev.statefront.state.server.SubscriptionEvent;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP tools over {@link ViewQueries}: their input schemas and their calls. Every answer is structured content
 * (the JSON the REST API answers, with {@code position} and {@code freshness}) plus a short text rendering; every
 * failure is a tool error ({@code isError: true}) whose text says what to fix. Answers are bounded in rows and
 * bytes and say how to continue.
 */
final class ViewTools {
    /** Most rows of one tool answer. */
    static final int MAX_ROWS = 1_000;
    /** Default rows of a scan or of recent changes. */
    static final int DEFAULT_ROWS = 50;
    /** Most bytes of rows in one tool answer (JSON), so a careless call cannot flood a model's context. */
    static final int MAX_BYTES = 256 * 1024;
    /** Most {@code wait_ms}. */
    static final long MAX_WAIT_MS = 30_000;
    /** How long recent_changes waits for a quiet stream before answering what it has. */
    private static final Duration CATCH_UP_IDLE = Duration.ofMillis(300);
    /** The longest recent_changes reads before answering. */
    private static final long CATCH_UP_MAX_MS = 5_000;

    private final ViewQueries queries;
    private final ChangeSource changes;

    ViewTools(ViewQueries queries, ChangeSource changes) {
        this.queries = queries;
        this.changes = changes;
    }

    // ------------------------------------------------------------------ schemas

    static Map<String, Object> readStateProperties(Map<String, Object> props) {
        props.put("min_position", Map.of("type", "string", "description",
                "A position token from an earlier answer (or an ingest): answer only once the data reflects it."));
        props.put("wait_ms", Map.of("type", "integer", "minimum", 0, "maximum", MAX_WAIT_MS, "description",
                "How long to wait for min_position, in milliseconds."));
        return props;
    }

    static Map<String, Object> schema(Map<String, Object> props, List<String> required) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("type", "object");
        s.put("properties", readStateProperties(props));
        if (!required.isEmpty()) {
            s.put("required", required);
        }
        return s;
    }

    /** The JSON schema of a value of a column. */
    static Map<String, Object> columnSchema(CatalogEntry view, Column c) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (c.type().kind()) {
            case BOOLEAN -> m.put("type", "boolean");
            case INT, BIGINT -> m.put("type", "integer");
            case DOUBLE -> m.put("type", "number");
            case DECIMAL -> m.put("type", List.of("number", "string"));
            case TIMESTAMP -> {
                m.put("type", "string");
                m.put("format", "date-time");
            }
            default -> m.put("type", "string");
        }
        m.put("description", "key column '" + c.name() + "' (" + c.type() + ") of view '" + view.name() + "'");
        return m;
    }

    static String lookupName(CatalogEntry view) {
        return "lookup_" + view.name();
    }

    /** {@code lookup_<view>}: the key columns as typed parameters, or {@code keys} for a batch. */
    static McpSchema.Tool lookupTool(CatalogEntry view) {
        List<Column> keys = Keys.keyColumns(view);
        Map<String, Object> props = new LinkedHashMap<>();
        Map<String, Object> keyObject = new LinkedHashMap<>();
        List<String> keyNames = new ArrayList<>();
        for (Column c : keys) {
            props.put(c.name(), columnSchema(view, c));
            keyObject.put(c.name(), columnSchema(view, c));
            keyNames.add(c.name());
        }
        props.put("keys", Map.of("type", "array", "maxItems", MAX_ROWS, "description",
                "Instead of the key columns: several keys at once, each an object of the key columns.",
                "items", Map.of("type", "object", "properties", keyObject, "required", keyNames)));
        String columns = view.schema().columns().stream().map(Column::toString)
                .collect(java.util.stream.Collectors.joining(", "));
        return McpSchema.Tool.builder()
                .name(lookupName(view))
                .title("Look up " + view.name() + " by " + String.join(", ", keyNames))
                .description("The row of materialized view '" + view.name() + "' for a key " + Keys.describeKey(view)
                        + " (or several rows with 'keys'), with its position and freshness. Columns: " + columns
                        + ". The view is: " + oneLine(view.sql()))
                .inputSchema(schema(props, List.of()))
                .annotations(readOnly())
                .build();
    }

    static McpSchema.ToolAnnotations readOnly() {
        return new McpSchema.ToolAnnotations(null, true, false, true, false, null);
    }

    static List<McpSchema.Tool> fixedTools() {
        List<McpSchema.Tool> tools = new ArrayList<>();
        tools.add(tool("list_views", "The materialized views: names, key columns, columns and row counts.",
                new LinkedHashMap<>(), List.of()));
        Map<String, Object> describe = new LinkedHashMap<>();
        describe.put("view", Map.of("type", "string", "description", "the view's name"));
        tools.add(tool("describe_view", "One view: columns and types, key columns, row count, partitions and the "
                + "SQL that defines it.", describe, List.of("view")));
        Map<String, Object> scan = new LinkedHashMap<>();
        scan.put("view", Map.of("type", "string", "description", "the view's name"));
        String bound = "leading key values in key-column order";
        scan.put("prefix", Map.of("type", "array", "description", "only keys starting with these " + bound
                + " (a string prefix on the last one)"));
        scan.put("from", Map.of("type", "array", "description", "first key, inclusive: " + bound));
        scan.put("to", Map.of("type", "array", "description", "end key, exclusive: " + bound));
        scan.put("limit", Map.of("type", "integer", "minimum", 1, "maximum", MAX_ROWS, "description",
                "most rows (default " + DEFAULT_ROWS + ")"));
        scan.put("cursor", Map.of("type", "string", "description", "next_cursor of the previous page"));
        tools.add(tool("scan_rows", "Rows of a view in key order, paged: a key range (from/to), a prefix, a limit and"
                + " the cursor to continue.", scan, List.of("view")));
        Map<String, Object> rc = new LinkedHashMap<>();
        rc.put("view", Map.of("type", "string", "description", "the view's name"));
        rc.put("since", Map.of("type", "string", "description", "next_token of an earlier recent_changes answer: "
                + "the changes after it, none missing, none twice"));
        rc.put("last", Map.of("type", "integer", "minimum", 1, "maximum", MAX_ROWS, "description",
                "without since: about the last N changes of the view"));
        rc.put("limit", Map.of("type", "integer", "minimum", 1, "maximum", MAX_ROWS, "description",
                "most changes in this answer (default " + DEFAULT_ROWS + "); continue with next_token"));
        tools.add(tool("recent_changes", "Changes of a view's rows (op c/u/d with before and after), since a token or "
                + "the last N; answers next_token to catch up later without gaps.", rc, List.of("view")));
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("column", Map.of("type", "string", "description", "the entity's key column, e.g. customer_id"));
        ctx.put("value", Map.of("description", "the entity's value, e.g. c-17"));
        ctx.put("entity", Map.of("type", "string", "description", "instead of column/value: 'customer_id = c-17'"));
        ctx.put("limit", Map.of("type", "integer", "minimum", 1, "maximum", EntityContext.MAX_LIMIT,
                "description", "most rows per view (default " + EntityContext.DEFAULT_LIMIT + ")"));
        tools.add(tool("get_context", "Everything about one entity in one answer: the rows of every view keyed by "
                + "its column (e.g. customer_id = c-17), each with position and freshness.", ctx, List.of()));
        return tools;
    }

    private static McpSchema.Tool tool(String name, String description, Map<String, Object> props,
                                       List<String> required) {
        return McpSchema.Tool.builder().name(name).description(description).inputSchema(schema(props, required))
                .annotations(readOnly()).build();
    }

    // ------------------------------------------------------------------ calls

    /** Runs a call; every failure becomes a tool error. */
    McpSchema.CallToolResult call(String tool, Map<String, Object> arguments) {
        ObjectNode args = arguments == null ? Json.mapper().createObjectNode()
                : Json.mapper().valueToTree(arguments);
        try {
            return switch (tool) {
                case "list_views" -> listViews(args);
                case "describe_view" -> describeView(args);
                case "scan_rows" -> scanRows(args);
                case "recent_changes" -> recentChanges(args);
                case "get_context" -> getContext(args);
                default -> {
                    if (tool.startsWith("lookup_")) {
                        yield lookup(tool.substring("lookup_".length()), args);
                    }
                    throw QueryException.invalid("tool", "unknown tool '" + tool + "'");
                }
            };
        } catch (QueryException e) {
            return error(e.code().name(), e.getMessage());
        } catch (IllegalArgumentException e) {
            return error("INVALID_ARGUMENT", e.getMessage());
        } catch (RuntimeException e) {
            return error("INTERNAL", "internal error: " + e);
        }
    }

    private ReadOptions options(ObjectNode args) {
        JsonNode w = args.get("wait_ms");
        Duration wait = null;
        if (w != null && !w.isNull()) {
            if (!w.canConvertToLong() || !w.isIntegralNumber() || w.asLong() < 0 || w.asLong() > MAX_WAIT_MS) {
                throw QueryException.invalid("wait_ms", "wait_ms must be a whole number of milliseconds from 0 to "
                        + MAX_WAIT_MS + ", got " + w);
            }
            wait = Duration.ofMillis(w.asLong());
        }
        JsonNode min = args.get("min_position");
        return queries.readOptions(min == null || min.isNull() ? null : min.asText(), wait);
    }

    private static String text(ObjectNode args, String field, boolean required) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw QueryException.invalid(field, field + " is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw QueryException.invalid(field, field + " must be a string, got " + n);
        }
        return n.textValue();
    }

    private static int limit(ObjectNode args, String field, int dflt, int max) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > max) {
            throw QueryException.invalid(field, field + " must be a whole number from 1 to " + max + ", got " + n
                    + "; page through more with the cursor/token of each answer");
        }
        return n.asInt();
    }

    private McpSchema.CallToolResult listViews(ObjectNode args) {
        ViewList list = queries.listViews(options(args));
        ObjectNode answer = Json.mapper().createObjectNode();
        ArrayNode arr = answer.putArray("views");
        StringBuilder text = new StringBuilder();
        for (ViewDescription d : list.views()) {
            ObjectNode v = viewJson(d, false);
            arr.add(v);
            text.append(d.entry().name()).append(' ').append(Keys.describeKey(d.entry())).append(": ")
                    .append(d.rowCount()).append(" rows; tool ").append(lookupName(d.entry())).append('\n');
        }
        EntityContext.withReadState(answer, list.position(), list.freshness());
        return ok(answer, list.views().size() + " views\n" + text + freshnessLine(list.position(), list.freshness()));
    }

    private McpSchema.CallToolResult describeView(ObjectNode args) {
        ReadOptions options = options(args);
        CatalogEntry view = queries.view(text(args, "view", true), options);
        ReadAnswer<ViewDescription> d = queries.describe(view, options);
        ObjectNode answer = viewJson(d.value(), true);
        EntityContext.withReadState(answer, d.position(), d.freshness());
        return ok(answer, "view " + view.name() + " key " + Keys.describeKey(view) + ", " + d.value().rowCount()
                + " rows, columns " + view.schema().columns() + "\n" + oneLine(view.sql()) + "\n"
                + freshnessLine(d.position(), d.freshness()));
    }

    static ObjectNode viewJson(ViewDescription d, boolean withPartitions) {
        CatalogEntry entry = d.entry();
        ObjectNode v = Json.mapper().createObjectNode();
        v.put("view", entry.name());
        ArrayNode cols = v.putArray("columns");
        List<String> key = entry.schema().keyColumnNames();
        for (Column c : entry.schema().columns()) {
            cols.addObject().put("name", c.name()).put("type", c.type().toString()).put("key", key.contains(c.name()));
        }
        ArrayNode k = v.putArray("key");
        key.forEach(k::add);
        v.put("row_count", d.rowCount());
        v.put("partitions", entry.partitions());
        v.put("sql", entry.sql());
        v.put("lookup_tool", lookupName(entry));
        if (withPartitions) {
            ArrayNode parts = v.putArray("partition_states");
            for (PartitionStatus s : d.partitions()) {
                parts.addObject().put("partition", s.partition()).put("row_count", s.rowCount())
                        .put("position", s.position().token());
            }
        }
        return v;
    }

    private McpSchema.CallToolResult lookup(String viewName, ObjectNode args) {
        ReadOptions options = options(args);
        CatalogEntry view = queries.view(viewName, options);
        JsonNode keysNode = args.get("keys");
        List<Object[]> keys = new ArrayList<>();
        boolean batch = keysNode != null && !keysNode.isNull();
        if (batch) {
            if (!keysNode.isArray() || keysNode.isEmpty()) {
                throw QueryException.invalid("keys", "keys must be a non-empty array of keys, each an object of the "
                        + "key columns " + Keys.describeKey(view));
            }
            if (keysNode.size() > MAX_ROWS) {
                throw QueryException.invalid("keys", "at most " + MAX_ROWS + " keys per call, got " + keysNode.size());
            }
            for (int i = 0; i < keysNode.size(); i++) {
                keys.add(Keys.fullKeyFromJson(view, keysNode.get(i), "keys[" + i + "]"));
            }
        } else {
            keys.add(Keys.fullKeyFromJson(view, args, "arguments"));
        }
        ReadAnswer<List<Object[]>> r = queries.batchGet(view, keys, options);
        ObjectNode answer = Json.mapper().createObjectNode();
        answer.put("view", view.name());
        List<Column> keyCols = Keys.keyColumns(view);
        StringBuilder text = new StringBuilder();
        int bytes = 0;
        int found = 0;
        if (batch) {
            ArrayNode results = answer.putArray("results");
            for (int i = 0; i < keys.size(); i++) {
                ObjectNode item = Json.mapper().createObjectNode();
                item.set("key", JsonValues.rowToJson(keyCols, keys.get(i)));
                Object[] row = r.value().get(i);
                item.put("found", row != null);
                item.set("row", row == null ? null : JsonValues.rowToJson(view.schema().columns(), row));
                bytes += size(item);
                if (bytes > MAX_BYTES) {
                    answer.put("truncated", true);
                    answer.put("message", "answer limited to " + MAX_BYTES + " bytes: ask again for the keys from "
                            + "index " + i);
                    break;
                }
                results.add(item);
                found += row != null ? 1 : 0;
                text.append(item.get("key")).append(" -> ").append(row == null ? "no row" : item.get("row"))
                        .append('\n');
            }
            text.insert(0, found + " of " + keys.size() + " keys have a row\n");
        } else {
            Object[] row = r.value().get(0);
            answer.set("key", JsonValues.rowToJson(keyCols, keys.get(0)));
            answer.put("found", row != null);
            answer.set("row", row == null ? null : JsonValues.rowToJson(view.schema().columns(), row));
            text.append(view.name()).append(' ').append(answer.get("key")).append(" -> ")
                    .append(row == null ? "no row" : answer.get("row").toString()).append('\n');
        }
        EntityContext.withReadState(answer, r.position(), r.freshness());
        return ok(answer, text + freshnessLine(r.position(), r.freshness()));
    }

    private McpSchema.CallToolResult scanRows(ObjectNode args) {
        ReadOptions options = options(args);
        CatalogEntry view = queries.view(text(args, "view", true), options);
        int limit = limit(args, "limit", DEFAULT_ROWS, MAX_ROWS);
        KeyRange range = KeyRange.of(view, bound(view, args, "from"), bound(view, args, "to"),
                bound(view, args, "prefix"), text(args, "cursor", false));
        ScanPage page = queries.scan(view, range, limit, options);
        ObjectNode answer = Json.mapper().createObjectNode();
        answer.put("view", view.name());
        ArrayNode rows = answer.putArray("rows");
        String next = page.nextCursor();
        int bytes = 0;
        List<ViewRow> got = page.rows();
        for (int i = 0; i < got.size(); i++) {
            ObjectNode row = JsonValues.rowToJson(view.schema().columns(), got.get(i).row());
            bytes += size(row);
            if (bytes > MAX_BYTES && i > 0) {
                next = Keys.cursorOf(got.get(i).key());
                answer.put("truncated_at_bytes", MAX_BYTES);
                break;
            }
            rows.add(row);
        }
        if (next != null) {
            answer.put("next_cursor", next);
        } else {
            answer.putNull("next_cursor");
        }
        EntityContext.withReadState(answer, page.position(), page.freshness());
        StringBuilder text = new StringBuilder(rows.size() + " rows of " + view.name()
                + (next != null ? " (more: pass cursor " + next + ")" : "") + "\n");
        int shown = 0;
        for (JsonNode row : rows) {
            if (shown++ == 20) {
                text.append("... (all rows are in the structured content)\n");
                break;
            }
            text.append(row).append('\n');
        }
        return ok(answer, text + freshnessLine(page.position(), page.freshness()));
    }

    private static Object[] bound(CatalogEntry view, ObjectNode args, String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            ArrayNode a = Json.mapper().createArrayNode();
            a.add(n);
            n = a;
        }
        if (n.isEmpty() || n.size() > view.schema().keySize()) {
            throw QueryException.invalid(field, field + ": view '" + view.name() + "' has key "
                    + Keys.describeKey(view) + ", so give 1 to " + view.schema().keySize() + " values in key order");
        }
        List<Column> cols = Keys.keyColumns(view);
        Object[] out = new Object[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = n.get(i);
            Column c = cols.get(i);
            try {
                out[i] = v.isTextual() && c.type().kind() != ColumnType.Kind.VARCHAR
                        ? JsonValues.fromText(v.textValue(), c) : JsonValues.fromJson(v, c);
            } catch (dev.statefront.core.DecodeException e) {
                throw QueryException.invalid(field, field + "[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private McpSchema.CallToolResult getContext(ObjectNode args) {
        ReadOptions options = options(args);
        String column = text(args, "column", false);
        JsonNode value = args.get("value");
        String entity = text(args, "entity", false);
        if (entity != null) {
            String[] cv = EntityContext.parseEntity(entity);
            column = cv[0];
            value = Json.mapper().getNodeFactory().textNode(cv[1]);
        }
        if (column == null || value == null) {
            throw QueryException.invalid("column", "give column and value (e.g. column=customer_id, value=c-17) or "
                    + "entity='customer_id = c-17'");
        }
        int limit = limit(args, "limit", EntityContext.DEFAULT_LIMIT, EntityContext.MAX_LIMIT);
        ObjectNode answer = EntityContext.answer(queries, column, value, limit, options);
        if (size(answer) > MAX_BYTES) {
            throw QueryException.invalid("limit", "the context of " + column + " = " + value + " is larger than "
                    + MAX_BYTES + " bytes; ask with a smaller limit (rows per view) or use scan_rows");
        }
        StringBuilder text = new StringBuilder(column + " = " + value + "\n");
        for (JsonNode v : answer.get("views")) {
            text.append(v.get("view").asText()).append(": ").append(v.get("rows").size()).append(" rows")
                    .append(v.get("truncated").asBoolean() ? " (more)" : "").append('\n');
            int shown = 0;
            for (JsonNode row : v.get("rows")) {
                if (shown++ == 10) {
                    text.append("  ...\n");
                    break;
                }
                text.append("  ").append(row).append('\n');
            }
        }
        return ok(answer, text + freshnessLine(answer));
    }

    private McpSchema.CallToolResult recentChanges(ObjectNode args) {
        ReadOptions options = options(args);
        CatalogEntry view = queries.view(text(args, "view", true), options);
        if (changes == null) {
            throw QueryException.unavailable("this gateway has no state server in its process, so it cannot read "
                    + "change streams; ask a gateway that runs one");
        }
        String since = text(args, "since", false);
        int limit = limit(args, "limit", DEFAULT_ROWS, MAX_ROWS);
        JsonNode lastNode = args.get("last");
        int last = since == null ? limit(args, "last", Math.min(limit, DEFAULT_ROWS), MAX_ROWS) : 0;
        ReadAnswer<ViewDescription> d = queries.describe(view, options);
        SubscribeRequest request = since == null ? null : SubscribeRequest.resume(view.name(), since);
        if (since == null) {
            // start a little before the last N changes of each partition (transaction markers take offsets too)
            List<PartitionStatus> parts = d.value().partitions();
            long[] next = new long[view.partitions()];
            for (PartitionStatus s : parts) {
                if (s.partition() < next.length) {
                    next[s.partition()] = Math.max(0, s.nextOffset() - 2L * last);
                }
            }
            request = SubscribeRequest.fromOffsets(view.name(), next);
        } else if (lastNode != null && !lastNode.isNull()) {
            throw QueryException.invalid("last", "give either since or last, not both");
        }
        ReadResult<ChangeSubscription> sub = changes.subscribe(request.withBufferSize(Math.max(1_000, 4 * limit)));
        if (!sub.isOk()) {
            throw QueryException.invalid("since", "cannot read changes of view '" + view.name() + "' from "
                    + (since == null ? "its recent offsets" : "token " + since) + ": " + sub.message());
        }
        ArrayDeque<ObjectNode> events = new ArrayDeque<>();
        String nextToken = since;
        boolean more = false;
        int bytes = 0;
        try (ChangeSubscription s = sub.value()) {
            long deadline = System.currentTimeMillis() + CATCH_UP_MAX_MS;
            while (System.currentTimeMillis() < deadline) {
                SubscriptionEvent e = s.poll(CATCH_UP_IDLE);
                if (e == null) {
                    nextToken = s.resumeToken() != null ? s.resumeToken() : nextToken;
                    break;
                }
                if (e.type() == SubscriptionEvent.Type.END) {
                    throw QueryException.unavailable("change stream of view '" + view.name() + "' ended: "
                            + e.end().message());
                }
                if (e.type() != SubscriptionEvent.Type.CHANGE) {
                    continue;
                }
                ObjectNode c = changeJson(view, e);
                int size = size(c);
                if (since != null && (events.size() == limit || bytes + size > MAX_BYTES)) {
                    more = true; // nextToken stays the token after the last change answered
                    break;
                }
                events.addLast(c);
                bytes += size;
                nextToken = e.token();
                if (since == null) {
                    while (events.size() > last || bytes > MAX_BYTES) {
                        bytes -= size(events.removeFirst());
                    }
                }
            }
            if (since == null && nextToken == null) {
                nextToken = s.resumeToken() != null ? s.resumeToken() : request.token();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.unavailable("interrupted while reading changes of view '" + view.name() + "'");
        }
        if (nextToken == null) {
            nextToken = request.token();
        }
        ObjectNode answer = Json.mapper().createObjectNode();
        answer.put("view", view.name());
        ArrayNode arr = answer.putArray("changes");
        events.forEach(arr::add);
        answer.put("next_token", nextToken);
        answer.put("more", more);
        EntityContext.withReadState(answer, d.position(), d.freshness());
        StringBuilder text = new StringBuilder(arr.size() + " changes of " + view.name()
                + (more ? " (more: call again with since=next_token)" : "") + "; next_token " + nextToken + "\n");
        int shown = 0;
        for (JsonNode c : arr) {
            if (shown++ == 20) {
                text.append("... (all changes are in the structured content)\n");
                break;
            }
            text.append(c.get("op").asText()).append(' ').append(c.get("key")).append(" -> ").append(c.get("after"))
                    .append('\n');
        }
        return ok(answer, text + freshnessLine(d.position(), d.freshness()));
    }

    private static ObjectNode changeJson(CatalogEntry view, SubscriptionEvent e) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("op", e.op() == null ? null : e.op().code());
        c.set("key", e.key() == null ? null : JsonValues.rowToJson(Keys.keyColumns(view), e.key()));
        c.set("before", e.before() == null ? null : JsonValues.rowToJson(view.schema().columns(), e.before()));
        c.set("after", e.after() == null ? null : JsonValues.rowToJson(view.schema().columns(), e.after()));
        c.put("ts", e.tsMs() > 0 ? JsonValues.formatTimestamp(e.tsMs()) : null);
        c.put("partition", e.partition());
        c.put("position", e.position() == null ? null : e.position().token());
        c.put("token", e.token());
        return c;
    }

    /**
     * A change-stream resume token at per-partition next offsets; the state server's format ({@code c1.} +
     * base64url of {@code view '\n' o0,o1,...}), which its {@code ChangeToken} decodes.
     */
    // ------------------------------------------------------------------ answers

    static String oneLine(String sql) {
        return sql == null ? "" : sql.replaceAll("\\s+", " ").trim();
    }

    static String freshnessLine(Position position, Freshness freshness) {
        return freshness != null && freshness.known()
                ? "as of " + JsonValues.formatTimestamp(freshness.asOfMs()) + " (lag " + freshness.lagMs()
                        + " ms), position " + position.token()
                : "freshness unknown, position " + position.token();
    }

    private static String freshnessLine(ObjectNode answer) {
        JsonNode f = answer.get("freshness");
        return f.get("as_of").isNull() ? "freshness unknown, position " + answer.get("position").asText()
                : "as of " + f.get("as_of").asText() + " (lag " + f.get("lag_ms").asLong() + " ms), position "
                        + answer.get("position").asText();
    }

    static int size(JsonNode node) {
        try {
            return Json.mapper().writeValueAsBytes(node).length;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static McpSchema.CallToolResult ok(ObjectNode structured, String text) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Json.mapper().convertValue(structured, Map.class);
        return McpSchema.CallToolResult.builder().structuredContent(map).addTextContent(text).isError(false).build();
    }

    static McpSchema.CallToolResult error(String code, String message) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("code", code);
        err.put("message", message);
        return McpSchema.CallToolResult.builder().structuredContent(Map.of("error", err))
                .addTextContent(code + ": " + message).isError(true).build();
    }
}
