package dev.statefront.processor.plan;

import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Schema;
import java.util.BitSet;
import java.util.List;

/**
 * A compiled {@code CREATE MATERIALIZED VIEW}: how each source row changes the view. Thread-safe and
 * stateless; all state lives in {@link GroupState}s and stores owned by the runtime.
 *
 * <p>Aggregating view ({@link #isAggregate()}): per source row, {@link #filter} (WHERE), then
 * {@link #groupKey} and {@link #aggregateInputs} go to the group's {@link GroupState}; the view row of a
 * group is {@link #finish}. Non-aggregating view: {@link #filter} then {@link #project}; the view row's key
 * is the source's key.
 */
public interface ViewPlan {
    String name();

    /** The defining statement. */
    String sql();

    /** The one source the view reads. */
    SourceDefinition source();

    /**
     * The columns of the source row (by index) this view reads; a decoder may leave the others null. All of them
     * unless a plan knows better.
     */
    default BitSet sourceColumnsRead() {
        BitSet all = new BitSet();
        all.set(0, source().columns().size());
        return all;
    }

    /** The view's columns, in SELECT order, with the view key (GROUP BY columns, or the source key). */
    Schema schema();

    boolean isAggregate();

    /**
     * True when the view key hashes to the same partition the source record already is in (the view key is
     * the source's single VARCHAR {@code key} column), so no repartition topic is needed.
     */
    boolean isCopartitioned();

    /** The WHERE condition: true if the source row counts. Rows are in source column order. */
    boolean filter(Object[] sourceRow);

    /** The group key (aggregating) or the view key (non-aggregating) of a source row, in view key order. */
    Object[] groupKey(Object[] sourceRow);

    /** Types of {@link #groupKey} values: the view's key types. */
    List<ColumnType> groupKeyTypes();

    /** Aggregating views: the argument value of each aggregate for a source row. */
    Object[] aggregateInputs(Object[] sourceRow);

    /** Aggregating views: the columns (types) of {@link #aggregateInputs}, for encoding them. */
    List<Column> aggregateInputColumns();

    /** Aggregating views: a new, empty group. */
    GroupState newGroupState();

    /** Aggregating views: a group read back from {@link GroupState#toBytes()}. */
    GroupState groupStateFromBytes(byte[] bytes);

    /** Aggregating views: the view row of a group, or null if a HAVING clause excludes it. */
    Object[] finish(Object[] groupKey, Object[] aggregateResults);

    /** Non-aggregating views: the view row of a source row that passed {@link #filter}. */
    Object[] project(Object[] sourceRow);
}
