package dev.statefront.processor.plan;

import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Schema;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * A {@link ViewPlan} made of compiled {@link Evaluator}s, as produced by
 * {@link dev.statefront.processor.sql.SqlPlanner}. Immutable and thread-safe.
 */
public final class CompiledViewPlan implements ViewPlan {
    private final String name;
    private final String sql;
    private final SourceDefinition source;
    private final Schema schema;
    private final boolean copartitioned;
    private final Evaluator[] where;
    private final Evaluator[] key;
    private final List<ColumnType> keyTypes;
    private final AggregatePart aggregate;
    private final Evaluator[] projection;
    private final BitSet sourceColumnsRead;

    /**
     * The aggregating half of a plan.
     *
     * @param inputs one evaluator per aggregate over the source row (COUNT(*): a constant TRUE, or NULL when a
     *               FILTER clause rejects the row)
     * @param calls the aggregates, in the same order
     * @param having conditions over the group row (group key values then aggregate results); all must be TRUE
     * @param outputs the view columns over the group row, in SELECT order
     */
    public record AggregatePart(List<Evaluator> inputs, List<AggregateCall> calls, List<Evaluator> having,
                                List<Evaluator> outputs) {
        public AggregatePart {
            inputs = List.copyOf(inputs);
            calls = List.copyOf(calls);
            having = List.copyOf(having);
            outputs = List.copyOf(outputs);
            if (inputs.size() != calls.size()) {
                throw new IllegalArgumentException(inputs.size() + " aggregate inputs for " + calls.size()
                        + " aggregates");
            }
        }
    }

    /**
     * A compiled view.
     *
     * @param name the view name; not null
     * @param sql the defining statement; not null
     * @param source the source read; not null
     * @param schema the view columns with the view key; not null
     * @param copartitioned see {@link ViewPlan#isCopartitioned()}
     * @param where the WHERE conditions over the source row, all must be TRUE; not null
     * @param key the view key (aggregating: GROUP BY values) over the source row, in key order; not null
     * @param aggregate the aggregating half, or null for a non-aggregating view
     * @param projection non-aggregating views: the view columns over the source row; null otherwise
     * @param sourceColumnsRead the source columns the evaluators read (see {@link ViewPlan#sourceColumnsRead}); null
     *                          for all of them
     * @throws IllegalArgumentException if exactly one of aggregate and projection is not given, or the key does
     *                                  not match the schema's key
     */
    public CompiledViewPlan(String name, String sql, SourceDefinition source, Schema schema, boolean copartitioned,
                            List<Evaluator> where, List<Evaluator> key, AggregatePart aggregate,
                            List<Evaluator> projection, BitSet sourceColumnsRead) {
        this.name = Objects.requireNonNull(name, "name");
        this.sql = Objects.requireNonNull(sql, "sql");
        this.source = Objects.requireNonNull(source, "source");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.copartitioned = copartitioned;
        this.where = where.toArray(new Evaluator[0]);
        this.key = key.toArray(new Evaluator[0]);
        this.keyTypes = schema.keyTypes();
        if ((aggregate == null) == (projection == null)) {
            throw new IllegalArgumentException("view '" + name + "' needs either aggregates or a projection");
        }
        if (this.key.length != schema.keySize()) {
            throw new IllegalArgumentException("view '" + name + "' has " + this.key.length + " key evaluators for "
                    + schema.keySize() + " key columns");
        }
        this.aggregate = aggregate;
        this.projection = projection == null ? null : projection.toArray(new Evaluator[0]);
        this.sourceColumnsRead = sourceColumnsRead == null ? null : (BitSet) sourceColumnsRead.clone();
    }

    @Override
    public BitSet sourceColumnsRead() {
        return sourceColumnsRead == null ? ViewPlan.super.sourceColumnsRead() : (BitSet) sourceColumnsRead.clone();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String sql() {
        return sql;
    }

    @Override
    public SourceDefinition source() {
        return source;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public boolean isAggregate() {
        return aggregate != null;
    }

    @Override
    public boolean isCopartitioned() {
        return copartitioned;
    }

    /** The aggregates of an aggregating view, in {@link #aggregateInputs} order; empty otherwise. */
    public List<AggregateCall> aggregates() {
        return aggregate == null ? List.of() : aggregate.calls();
    }

    @Override
    public boolean filter(Object[] sourceRow) {
        for (Evaluator condition : where) {
            if (condition.eval(sourceRow) != Boolean.TRUE) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Object[] groupKey(Object[] sourceRow) {
        Object[] k = new Object[key.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = key[i].eval(sourceRow);
        }
        return k;
    }

    @Override
    public List<ColumnType> groupKeyTypes() {
        return keyTypes;
    }

    @Override
    public Object[] aggregateInputs(Object[] sourceRow) {
        List<Evaluator> inputs = requireAggregate("aggregateInputs").inputs();
        Object[] values = new Object[inputs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = inputs.get(i).eval(sourceRow);
        }
        return values;
    }

    @Override
    public List<Column> aggregateInputColumns() {
        List<AggregateCall> calls = requireAggregate("aggregateInputColumns").calls();
        Column[] columns = new Column[calls.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = new Column("agg" + i, calls.get(i).inputType());
        }
        return List.of(columns);
    }

    @Override
    public GroupState newGroupState() {
        return AggregateGroupState.empty(requireAggregate("newGroupState").calls(), source.retracting());
    }

    @Override
    public GroupState groupStateFromBytes(byte[] bytes) {
        return AggregateGroupState.fromBytes(requireAggregate("groupStateFromBytes").calls(), source.retracting(), bytes);
    }

    @Override
    public Object[] finish(Object[] groupKey, Object[] aggregateResults) {
        AggregatePart part = requireAggregate("finish");
        Object[] groupRow = new Object[groupKey.length + aggregateResults.length];
        System.arraycopy(groupKey, 0, groupRow, 0, groupKey.length);
        System.arraycopy(aggregateResults, 0, groupRow, groupKey.length, aggregateResults.length);
        for (Evaluator condition : part.having()) {
            if (condition.eval(groupRow) != Boolean.TRUE) {
                return null;
            }
        }
        List<Evaluator> outputs = part.outputs();
        Object[] row = new Object[outputs.size()];
        for (int i = 0; i < row.length; i++) {
            row[i] = outputs.get(i).eval(groupRow);
        }
        return row;
    }

    @Override
    public Object[] project(Object[] sourceRow) {
        if (projection == null) {
            throw new IllegalStateException("view '" + name + "' aggregates; use finish(), not project()");
        }
        Object[] row = new Object[projection.length];
        for (int i = 0; i < row.length; i++) {
            row[i] = projection[i].eval(sourceRow);
        }
        return row;
    }

    private AggregatePart requireAggregate(String method) {
        if (aggregate == null) {
            throw new IllegalStateException("view '" + name + "' does not aggregate; " + method
                    + "() applies to aggregating views only");
        }
        return aggregate;
    }

    @Override
    public String toString() {
        return "view " + name + " " + schema + " from " + source.name();
    }
}
