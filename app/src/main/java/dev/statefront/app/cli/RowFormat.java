package dev.statefront.app.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.proto.v1.Column;
import dev.statefront.proto.v1.ColumnType;
import dev.statefront.proto.v1.Freshness;
import dev.statefront.proto.v1.Row;
import dev.statefront.proto.v1.Value;
import dev.statefront.proto.v1.ViewInfo;
import java.util.ArrayList;
import java.util.List;

/** Rows and values of the gRPC API as table cells and as JSON. */
final class RowFormat {
    private RowFormat() {
    }

    static String text(Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> "NULL";
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT64_VALUE -> Long.toString(v.getInt64Value());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case DECIMAL_VALUE -> v.getDecimalValue();
            case STRING_VALUE -> v.getStringValue();
            case TIMESTAMP_VALUE -> JsonValues.formatTimestamp(millis(v));
        };
    }

    private static long millis(Value v) {
        return v.getTimestampValue().getSeconds() * 1000 + v.getTimestampValue().getNanos() / 1_000_000;
    }

    static void put(ObjectNode o, String name, Value v) {
        switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> o.putNull(name);
            case BOOL_VALUE -> o.put(name, v.getBoolValue());
            case INT64_VALUE -> o.put(name, v.getInt64Value());
            case DOUBLE_VALUE -> o.put(name, v.getDoubleValue());
            case DECIMAL_VALUE -> o.put(name, new java.math.BigDecimal(v.getDecimalValue()));
            case STRING_VALUE -> o.put(name, v.getStringValue());
            case TIMESTAMP_VALUE -> o.put(name, JsonValues.formatTimestamp(millis(v)));
            default -> throw new IllegalStateException("unknown value kind " + v.getKindCase());
        }
    }

    static ObjectNode json(ViewInfo view, Row row) {
        ObjectNode o = Json.mapper().createObjectNode();
        for (int i = 0; i < view.getColumnsCount(); i++) {
            put(o, view.getColumns(i).getName(), row.getValues(i));
        }
        return o;
    }

    static List<String> cells(Row row) {
        List<String> out = new ArrayList<>(row.getValuesCount());
        row.getValuesList().forEach(v -> out.add(text(v)));
        return out;
    }

    static TableWriter table(ViewInfo view) {
        List<String> header = new ArrayList<>();
        boolean[] right = new boolean[view.getColumnsCount()];
        for (int i = 0; i < view.getColumnsCount(); i++) {
            Column c = view.getColumns(i);
            header.add(c.getName());
            ColumnType.Kind k = c.getType().getKind();
            right[i] = k == ColumnType.Kind.INT || k == ColumnType.Kind.BIGINT || k == ColumnType.Kind.DOUBLE
                    || k == ColumnType.Kind.DECIMAL;
        }
        return new TableWriter(header, right);
    }

    static void readState(ObjectNode o, String position, Freshness f) {
        o.put("position", position);
        ObjectNode fr = o.putObject("freshness");
        if (f.hasAsOf()) {
            fr.put("lag_ms", f.getLagMs());
            fr.put("as_of", JsonValues.formatTimestamp(f.getAsOf().getSeconds() * 1000
                    + f.getAsOf().getNanos() / 1_000_000));
        } else {
            fr.putNull("lag_ms");
            fr.putNull("as_of");
        }
    }

    static String freshnessText(Freshness f) {
        return f.hasAsOf() ? "lag " + f.getLagMs() + " ms" : "freshness unknown";
    }

    static void printJson(java.io.PrintWriter out, Object node) {
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
