package dev.statefront.gateway.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Position;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import java.util.ArrayList;
import java.util.List;

/**
 * The context of one entity, e.g. {@code customer_id = c-17}: the rows of every view whose key starts with that
 * column, in one answer. A view keyed by exactly that column contributes its one row (if any); a view whose
 * composite key leads with it contributes the rows of that exact leading value, in key order, at most
 * {@code limit} of them. Shared by {@code GET /v1/context} and the MCP tool {@code get_context}, so both answer
 * the same JSON.
 */
public final class EntityContext {
    /** Default rows per view. */
    public static final int DEFAULT_LIMIT = 100;
    /** Most rows per view. */
    public static final int MAX_LIMIT = 1_000;

    private EntityContext() {
    }

    /**
     * Parses {@code column = value} (spaces optional).
     *
     * @return {column, value}
     * @throws QueryException INVALID_ARGUMENT (field {@code entity}) for text without {@code =}
     */
    public static String[] parseEntity(String text) {
        int eq = text == null ? -1 : text.indexOf('=');
        if (eq <= 0) {
            throw QueryException.invalid("entity", "entity: give 'column = value', e.g. 'customer_id = c-17', got '"
                    + text + "'");
        }
        String value = text.substring(eq + 1).trim();
        if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                || value.startsWith("\"") && value.endsWith("\""))) {
            value = value.substring(1, value.length() - 1);
        }
        return new String[] {text.substring(0, eq).trim(), value};
    }

    /**
     * The context JSON: {@code {"column", "value", "views": [{"view", "key", "rows", "truncated", "position",
     * "freshness"}], "position", "freshness"}}; views keyed by the column whose rows are absent still appear, with
     * no rows, so a reader can tell "no row" from "no such view".
     *
     * @param value the value as JSON (a string is read as text of the column's type, so {@code "42"} fits a BIGINT)
     * @throws QueryException INVALID_ARGUMENT when no view is keyed by the column or the value does not fit its type
     */
    public static ObjectNode answer(ViewQueries queries, String column, JsonNode value, int limit,
                                    ReadOptions options) {
        if (column == null || column.isBlank()) {
            throw QueryException.invalid("column", "column: give the key column of the entity, e.g. customer_id");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw QueryException.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '"
                    + limit + "'");
        }
        List<ViewDescription> views = queries.listViews(options).views();
        List<String> keyed = new ArrayList<>();
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("column", column);
        root.set("value", value);
        ArrayNode out = root.putArray("views");
        Position position = Position.EMPTY;
        Freshness freshness = null;
        for (ViewDescription d : views) {
            CatalogEntry view = d.entry();
            List<Column> keyCols = Keys.keyColumns(view);
            if (keyCols.isEmpty()) {
                continue;
            }
            if (!keyCols.get(0).name().equals(column)) {
                continue;
            }
            keyed.add(view.name());
            Object v = typed(view, keyCols.get(0), value);
            ObjectNode item = out.addObject();
            item.put("view", view.name());
            ArrayNode keyNames = item.putArray("key");
            keyCols.forEach(c -> keyNames.add(c.name()));
            ArrayNode rows = item.putArray("rows");
            Position p;
            Freshness f;
            if (keyCols.size() == 1) {
                ReadAnswer<Object[]> r = queries.get(view, new Object[] {v}, options);
                if (r.value() != null) {
                    rows.add(JsonValues.rowToJson(view.schema().columns(), r.value()));
                }
                item.put("truncated", false);
                p = r.position();
                f = r.freshness();
            } else {
                byte[] start = KeyCodec.encodePrefix(view.schema().keyTypes(), new Object[] {v}, false);
                ScanPage page = queries.scan(view, new KeyRange(start, KeyCodec.prefixEnd(start)), limit, options);
                for (ViewRow row : page.rows()) {
                    rows.add(JsonValues.rowToJson(view.schema().columns(), row.row()));
                }
                item.put("truncated", page.nextCursor() != null);
                if (page.nextCursor() != null) {
                    item.put("next_cursor", page.nextCursor());
                }
                p = page.position();
                f = page.freshness();
            }
            withReadState(item, p, f);
            position = position.merge(p);
            freshness = freshness == null ? f : freshness.min(f);
        }
        if (keyed.isEmpty()) {
            List<String> columns = new ArrayList<>();
            for (ViewDescription d : views) {
                List<Column> keyCols = Keys.keyColumns(d.entry());
                if (!keyCols.isEmpty()) {
                    columns.add(keyCols.get(0).name() + " (" + d.entry().name() + ")");
                }
            }
            throw QueryException.invalid("column", "no view is keyed by column '" + column
                    + "'; the leading key columns of the views are " + columns);
        }
        return withReadState(root, position, freshness);
    }

    /** Adds {@code "position"} and {@code "freshness": {"lag_ms", "as_of"}} (nulls when unknown). */
    public static ObjectNode withReadState(ObjectNode answer, Position position, Freshness freshness) {
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

    private static Object typed(CatalogEntry view, Column c, JsonNode value) {
        try {
            if (value == null || value.isNull()) {
                return null;
            }
            return value.isTextual() && c.type().kind() != dev.statefront.core.ColumnType.Kind.VARCHAR
                    ? JsonValues.fromText(value.textValue(), c) : JsonValues.fromJson(value, c);
        } catch (DecodeException e) {
            throw QueryException.invalid("value", "value: " + e.getMessage() + " (column '" + c.name() + "' of view '"
                    + view.name() + "' is " + c.type() + ")");
        }
    }
}
