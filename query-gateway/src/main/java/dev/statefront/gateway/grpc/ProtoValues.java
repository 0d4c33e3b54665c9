package dev.statefront.gateway.grpc;

import com.google.protobuf.NullValue;
import com.google.protobuf.Timestamp;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.gateway.query.QueryException;
import dev.statefront.proto.v1.Freshness;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.PartitionState;
import dev.statefront.proto.v1.Row;
import dev.statefront.proto.v1.Value;
import dev.statefront.proto.v1.ViewInfo;
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ViewDescription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Conversions between core's Java values and the {@code statefront.v1} messages. */
public final class ProtoValues {
    private static final Value NULL = Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();

    private ProtoValues() {
    }

    /** A Java value of a column type as a {@link Value}. */
    public static Value value(Object v, ColumnType type) {
        if (v == null) {
            return NULL;
        }
        Value.Builder b = Value.newBuilder();
        switch (type.kind()) {
            case BOOLEAN -> b.setBoolValue((Boolean) v);
            case INT, BIGINT -> b.setInt64Value(((Number) v).longValue());
            case DOUBLE -> b.setDoubleValue(((Number) v).doubleValue());
            case DECIMAL -> b.setDecimalValue(((BigDecimal) v).toPlainString());
            case VARCHAR -> b.setStringValue((String) v);
            case TIMESTAMP -> b.setTimestampValue(timestamp(((Number) v).longValue()));
            default -> throw new IllegalStateException("unknown kind " + type.kind());
        }
        return b.build();
    }

    /** A row of a view in schema order. */
    public static Row row(List<Column> columns, Object[] row) {
        Row.Builder b = Row.newBuilder();
        for (int i = 0; i < columns.size(); i++) {
            b.addValues(value(row[i], columns.get(i).type()));
        }
        return b.build();
    }

    /** A full key of a view. */
    public static Key key(CatalogEntry view, Object[] key) {
        Key.Builder b = Key.newBuilder();
        List<ColumnType> types = view.schema().keyTypes();
        for (int i = 0; i < key.length; i++) {
            b.addValues(value(key[i], types.get(i)));
        }
        return b.build();
    }

    /**
     * The typed Java form of a request value, as {@link dev.statefront.gateway.query.Keys} takes it.
     *
     * @throws QueryException INVALID_ARGUMENT for a value without a kind or a decimal that is not a number
     */
    public static Object typed(Value v, String field) {
        return switch (v.getKindCase()) {
            case NULL_VALUE -> null;
            case BOOL_VALUE -> v.getBoolValue();
            case INT64_VALUE -> v.getInt64Value();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case DECIMAL_VALUE -> {
                try {
                    yield new BigDecimal(v.getDecimalValue().trim());
                } catch (NumberFormatException e) {
                    throw QueryException.invalid(field, field + ": decimal_value \"" + v.getDecimalValue()
                            + "\" is not a decimal number");
                }
            }
            case STRING_VALUE -> v.getStringValue();
            case TIMESTAMP_VALUE -> Instant.ofEpochSecond(v.getTimestampValue().getSeconds(),
                    v.getTimestampValue().getNanos());
            case KIND_NOT_SET -> throw QueryException.invalid(field, field + ": value has no kind; set one of "
                    + "null_value, bool_value, int64_value, double_value, decimal_value, string_value, "
                    + "timestamp_value");
        };
    }

    /** The typed Java forms of a key's (or row's) values. */
    public static List<Object> typed(List<Value> values, String field) {
        List<Object> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            out.add(typed(values.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    /** Epoch milliseconds as a Timestamp. */
    public static Timestamp timestamp(long epochMillis) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(epochMillis, 1000))
                .setNanos((int) Math.floorMod(epochMillis, 1000) * 1_000_000).build();
    }

    /** A freshness; as_of unset when unknown. */
    public static Freshness freshness(dev.statefront.state.server.Freshness f) {
        Freshness.Builder b = Freshness.newBuilder();
        if (f != null && f.known()) {
            b.setAsOf(timestamp(f.asOfMs())).setLagMs(f.lagMs());
        }
        return b.build();
    }

    /** A column type. */
    public static dev.statefront.proto.v1.ColumnType columnType(ColumnType t) {
        return dev.statefront.proto.v1.ColumnType.newBuilder()
                .setKind(dev.statefront.proto.v1.ColumnType.Kind.valueOf(t.kind().name()))
                .setPrecision(t.precision()).setScale(t.scale()).setSql(t.toString()).build();
    }

    /** A view with its row count, and its partition states when {@code withPartitions}. */
    public static ViewInfo viewInfo(ViewDescription d, boolean withPartitions) {
        CatalogEntry e = d.entry();
        ViewInfo.Builder b = ViewInfo.newBuilder().setName(e.name()).addAllKeyColumns(e.schema().keyColumnNames())
                .setPartitions(e.partitions()).setRowCount(d.rowCount()).setSql(e.sql()).setTopic(e.topic())
                .addAllSources(e.sources());
        Set<String> key = new HashSet<>(e.schema().keyColumnNames());
        for (Column c : e.schema().columns()) {
            b.addColumnsBuilder().setName(c.name()).setType(columnType(c.type())).setKey(key.contains(c.name()));
        }
        if (withPartitions) {
            for (PartitionStatus s : d.partitions()) {
                PartitionState.Builder p = b.addPartitionStatesBuilder().setPartition(s.partition())
                        .setRowCount(s.rowCount()).setNextOffset(s.nextOffset()).setPosition(s.position().token());
                if (s.asOfMs() >= 0) {
                    p.setAsOf(timestamp(s.asOfMs()));
                }
            }
        }
        return b.build();
    }
}
