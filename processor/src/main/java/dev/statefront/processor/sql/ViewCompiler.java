package dev.statefront.processor.sql;

import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Schema;
import dev.statefront.processor.plan.AggregateCall;
import dev.statefront.processor.plan.AggregateFunction;
import dev.statefront.processor.plan.CompiledViewPlan;
import dev.statefront.processor.plan.Evaluator;
import dev.statefront.processor.plan.Expressions;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.sql.DdlParser.ViewStatement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.tools.FrameworkConfig;
import org.apache.calcite.tools.Frameworks;
import org.apache.calcite.tools.Planner;
import org.apache.calcite.tools.RelConversionException;
import org.apache.calcite.tools.ValidationException;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Plans one {@code CREATE MATERIALIZED VIEW}: Calcite parses, validates and converts the query to relational
 * algebra; this class checks the shape the runtime supports (Project/Filter over one source, at most one
 * aggregation with Project/Filter above it) and compiles it into a {@link CompiledViewPlan}.
 */
final class ViewCompiler {
    private static final SqlParser.Config PARSER = SqlParser.config()
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withUnquotedCasing(Casing.UNCHANGED)
            .withQuotedCasing(Casing.UNCHANGED)
            .withCaseSensitive(false)
            .withConformance(SqlConformanceEnum.LENIENT);
    private static final Pattern COLUMN_NOT_FOUND =
            Pattern.compile("Column '([^']+)' not found in (?:any table|table '[^']+')");
    private static final Pattern NOT_GROUPED = Pattern.compile("Expression '(.+)' is not being grouped");
    private static final Pattern GENERATED_NAME = Pattern.compile("EXPR\\$\\d+");

    private final Script script;
    private final ViewStatement statement;
    private final Map<String, SourceDefinition> sources;
    private final Collection<String> viewNames;
    private final String viewName;
    private final int line;
    private final int column;

    /**
     * @param sources the sources declared so far, by lower-cased name
     * @param viewNames the views declared so far
     */
    ViewCompiler(Script script, ViewStatement statement, Map<String, SourceDefinition> sources,
                 Collection<String> viewNames) {
        this.script = script;
        this.statement = statement;
        this.sources = sources;
        this.viewNames = viewNames;
        this.viewName = statement.name().text();
        this.line = script.line(statement.queryStart());
        this.column = script.column(statement.queryStart());
    }

    CompiledViewPlan compile(String sql) {
        SchemaPlus root = Frameworks.createRootSchema(false);
        for (SourceDefinition s : sources.values()) {
            root.add(s.name(), new SourceTable(s));
        }
        FrameworkConfig config = Frameworks.newConfigBuilder()
                .parserConfig(PARSER)
                .defaultSchema(root)
                .typeSystem(ViewTypeSystem.INSTANCE)
                // nothing here optimizes over sort orders: without the collation trait, converting the demo's and the
                // bench's views asks Calcite's metadata for nothing, so the first plan in a process does not load
                // Janino to generate metadata handlers (a quarter of a second of start-up)
                .traitDefs(ConventionTraitDef.INSTANCE)
                .operatorTable(SqlOperatorTables.chain(SqlStdOperatorTable.instance(),
                        SqlOperatorTables.of(SqlLibraryOperators.CONCAT_FUNCTION_WITH_NULL)))
                .sqlValidatorConfig(SqlValidator.Config.DEFAULT
                        .withConformance(SqlConformanceEnum.LENIENT)
                        .withIdentifierExpansion(true))
                .sqlToRelConverterConfig(SqlToRelConverter.config()
                        .withInSubQueryThreshold(Integer.MAX_VALUE)
                        .withExpand(true))
                .build();
        Planner planner = Frameworks.getPlanner(config);
        try {
            SqlNode parsed;
            try {
                parsed = planner.parse(script.padded(statement.queryStart(), statement.queryEnd()));
            } catch (SqlParseException e) {
                throw parseFailure(e);
            }
            SourceDefinition source = checkShape(parsed);
            List<SqlNode> writtenItems = new ArrayList<>(((SqlSelect) parsed).getSelectList().getList());
            SqlNode validated;
            try {
                validated = planner.validate(parsed);
            } catch (ValidationException e) {
                throw validationFailure(e, source);
            }
            RelRoot root0;
            try {
                root0 = planner.rel(validated);
            } catch (RelConversionException e) {
                throw new PlanningFailure(line, column, "cannot convert the query: " + e.getMessage(), e);
            }
            return build(sql, source, (SqlSelect) validated, writtenItems, root0);
        } finally {
            planner.close();
        }
    }

    // ------------------------------------------------------------------ before validation

    /** Rejects what the runtime cannot run, with positions, before Calcite's less specific errors. */
    private SourceDefinition checkShape(SqlNode query) {
        switch (query.getKind()) {
            case SELECT:
                break;
            case ORDER_BY:
                throw at(query, "ORDER BY, LIMIT and OFFSET are not supported in a view: a view is keyed, not "
                        + "ordered; readers scan it in key order");
            case UNION:
            case INTERSECT:
            case EXCEPT:
                throw at(query, query.getKind() + " is not supported yet; a view is one SELECT over one source");
            case WITH:
                throw at(query, "WITH is not supported yet; a view is one SELECT over one source");
            case VALUES:
                throw at(query, "VALUES is not supported; a view must SELECT ... FROM a source");
            default:
                throw at(query, "expected a SELECT query after AS");
        }
        SqlSelect select = (SqlSelect) query;
        SqlNode from = select.getFrom();
        if (from == null) {
            throw at(select, "a view must read a source: add FROM <source>");
        }
        SqlNode table = from;
        if (from.getKind() == SqlKind.AS) {
            table = ((SqlCall) from).operand(0);
        }
        if (table instanceof SqlCall call && call.getKind() == SqlKind.JOIN) {
            throw at(table, "joins are not supported yet; a view reads exactly one source");
        }
        if (!(table instanceof SqlIdentifier id)) {
            throw at(table, table.getKind() == SqlKind.SELECT
                    ? "subqueries in FROM are not supported yet; a view reads exactly one source"
                    : "FROM must name one source");
        }
        if (id.names.size() != 1) {
            throw at(id, "source names are not qualified: write FROM " + id.names.get(id.names.size() - 1));
        }
        String name = id.getSimple();
        SourceDefinition source = sources.get(name.toLowerCase(Locale.ROOT));
        if (source == null) {
            for (String view : viewNames) {
                if (view.equalsIgnoreCase(name)) {
                    throw at(id, "view '" + view + "' cannot be read by another view yet; views read sources "
                            + "(CREATE SOURCE or CREATE TABLE)");
                }
            }
            throw at(id, "source '" + name + "' not found; " + (sources.isEmpty()
                    ? "no source is declared before this statement"
                    : "declared sources are: " + String.join(", ",
                            sources.values().stream().map(SourceDefinition::name).toList())));
        }
        SqlNodeList group = select.getGroup();
        if (group != null) {
            for (SqlNode item : group) {
                SqlKind k = item.getKind();
                if (k == SqlKind.ROLLUP || k == SqlKind.CUBE || k == SqlKind.GROUPING_SETS) {
                    throw at(item, k + " is not supported yet; GROUP BY plain columns or expressions");
                }
            }
        }
        select.accept(new SqlBasicVisitor<Void>() {
            @Override
            public Void visit(SqlCall call) {
                if (call != select && call.getKind() == SqlKind.SELECT) {
                    throw at(call, "subqueries are not supported yet; a view reads exactly one source");
                }
                if (call.getKind() == SqlKind.OVER) {
                    throw at(call, "window functions (OVER) are not supported yet");
                }
                String op = call.getOperator().getName().toUpperCase(Locale.ROOT);
                if (op.equals("TUMBLE") || op.equals("HOP") || op.equals("SESSION")) {
                    throw at(call, "windowed aggregation (" + op + ") is not supported yet");
                }
                return super.visit(call);
            }
        });
        if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
            throw at(select.getWindowList(), "window functions (WINDOW) are not supported yet");
        }
        return source;
    }

    // ------------------------------------------------------------------ errors

    private PlanningFailure at(SqlNode node, String reason) {
        SqlParserPos pos = node.getParserPosition();
        if (pos == null || pos.getLineNum() <= 0) {
            return new PlanningFailure(line, column, reason);
        }
        return new PlanningFailure(pos.getLineNum(), pos.getColumnNum(), reason);
    }

    private PlanningFailure parseFailure(SqlParseException e) {
        SqlParserPos pos = e.getPos();
        String message = String.valueOf(e.getMessage());
        String first = message.lines().findFirst().orElse(message).trim();
        first = first.replaceAll(" at line \\d+, column \\d+\\.?", "").replace("\"", "'");
        Collection<String> expected = e.getExpectedTokenNames();
        if (expected != null && !expected.isEmpty() && expected.size() <= 12) {
            first += "; expected one of: " + String.join(", ", expected).replace("\"", "'");
        }
        int l = pos == null || pos.getLineNum() <= 0 ? line : pos.getLineNum();
        int c = pos == null || pos.getLineNum() <= 0 ? column : pos.getColumnNum();
        return new PlanningFailure(l, c, "syntax error: " + lowerFirst(first), e);
    }

    private PlanningFailure validationFailure(ValidationException e, SourceDefinition source) {
        Throwable t = e;
        CalciteContextException context = null;
        while (t != null) {
            if (t instanceof CalciteContextException c) {
                context = c;
                break;
            }
            t = t.getCause();
        }
        String message;
        int l = line;
        int c = column;
        if (context != null) {
            if (context.getPosLine() > 0) {
                l = context.getPosLine();
                c = context.getPosColumn();
            }
            message = context.getCause() != null ? context.getCause().getMessage() : context.getMessage();
        } else {
            message = e.getMessage();
        }
        message = String.valueOf(message).replaceAll("\\s*\\n\\s*", " ").trim();
        Matcher m = COLUMN_NOT_FOUND.matcher(message);
        if (m.find()) {
            String col = m.group(1);
            col = col.substring(col.lastIndexOf('.') + 1);
            message = "column '" + col + "' not found in source '" + source.name() + "'; columns are: "
                    + source.schema().columnNames();
        } else if ((m = NOT_GROUPED.matcher(message)).find()) {
            message = "'" + m.group(1).replace("`", "") + "' is neither in GROUP BY nor inside an aggregate "
                    + "function";
        } else if (message.startsWith("No match found for function signature")) {
            message = "unknown function or wrong argument types: "
                    + message.substring("No match found for function signature".length()).trim()
                    + "; " + RexCompiler.SUPPORTED;
        } else {
            message = lowerFirst(message);
        }
        return new PlanningFailure(l, c, message, e);
    }

    private static String lowerFirst(String s) {
        if (s.isEmpty() || (s.length() > 1 && Character.isUpperCase(s.charAt(1)))) {
            return s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    // ------------------------------------------------------------------ relational algebra

    /** Field evaluators over some row, the conditions seen, and which base field each field passes through. */
    private record Lowered(List<Evaluator> fields, List<RelDataType> types, List<Evaluator> conditions,
                           int[] origins) {
    }

    private CompiledViewPlan build(String sql, SourceDefinition source, SqlSelect select, List<SqlNode> writtenItems,
                                   RelRoot root) {
        RelNode top = root.project();
        List<String> names = declaredCase(root.validatedRowType.getFieldNames(), writtenItems, source);
        for (RelNode n = top; ; n = n.getInput(0)) {
            checkSupported(n);
            if (n instanceof TableScan) {
                break;
            }
        }
        Aggregate aggregate = null;
        for (RelNode n = top; !(n instanceof TableScan); n = n.getInput(0)) {
            if (n instanceof Aggregate a) {
                if (aggregate != null) {
                    throw new PlanningFailure(line, column, "SELECT DISTINCT with GROUP BY or aggregates is not "
                            + "supported yet; a view aggregates once");
                }
                aggregate = a;
            }
        }
        RexCompiler compiler = new RexCompiler(top.getCluster().getRexBuilder(), line, column);
        for (int i = 0; i < names.size(); i++) {
            if (GENERATED_NAME.matcher(names.get(i)).matches()) {
                SqlNode item = i < select.getSelectList().size() ? select.getSelectList().get(i) : select;
                throw at(item, "select item " + (i + 1) + " needs a name: add AS <column name>");
            }
        }
        int[] sourceKey = source.schema().keyIndexes();
        if (aggregate == null) {
            Lowered out = lower(top, null, null, compiler);
            List<Column> columns = columns(names, out.types(), compiler);
            List<String> keyNames = new ArrayList<>();
            List<Evaluator> key = new ArrayList<>();
            if (sourceKey.length == 0) {
                throw new PlanningFailure(line, column, "view '" + viewName + "' has no GROUP BY, so its key is the "
                        + "key of source '" + source.name() + "', but that source declares none; add key = '<column>' "
                        + "to the WITH options of source '" + source.name() + "', or aggregate with GROUP BY");
            }
            for (int k : sourceKey) {
                int p = indexOf(out.origins(), k);
                if (p < 0) {
                    String keyColumn = source.columns().get(k).name();
                    throw new PlanningFailure(line, column, "view '" + viewName + "' has no GROUP BY, so its key is "
                            + "the key of source '" + source.name() + "'; select the key column '" + keyColumn
                            + "' unchanged (e.g. SELECT " + keyColumn + ", ...)");
                }
                keyNames.add(names.get(p));
                key.add(Expressions.field(k));
            }
            boolean copartitioned = sourceKey.length == 1 && source.plainKeyed()
                    && source.columns().get(sourceKey[0]).type().kind() == ColumnType.Kind.VARCHAR;
            return new CompiledViewPlan(viewName, sql, source, schema(columns, keyNames), copartitioned,
                    out.conditions(), key, null, out.fields(), sourceColumnsRead(top, source));
        }

        if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
            throw new PlanningFailure(line, column, "GROUPING SETS, ROLLUP and CUBE are not supported yet");
        }
        Lowered in = lower(aggregate.getInput(), null, null, compiler);
        List<Integer> groups = aggregate.getGroupSet().asList();
        List<Evaluator> key = new ArrayList<>();
        for (int g : groups) {
            key.add(in.fields().get(g));
        }
        List<Evaluator> inputs = new ArrayList<>();
        List<AggregateCall> calls = new ArrayList<>();
        for (org.apache.calcite.rel.core.AggregateCall call : aggregate.getAggCallList()) {
            inputs.add(aggregateInput(call, in, compiler));
            calls.add(aggregateCall(call, in, compiler));
        }

        // the group row: group key values then aggregate results, typed by the Aggregate's row type
        List<RelDataTypeField> groupRowFields = aggregate.getRowType().getFieldList();
        List<Evaluator> groupRow = new ArrayList<>();
        List<RelDataType> groupRowTypes = new ArrayList<>();
        int[] identity = new int[groupRowFields.size()];
        for (int i = 0; i < groupRowFields.size(); i++) {
            groupRow.add(Expressions.field(i));
            groupRowTypes.add(groupRowFields.get(i).getType());
            identity[i] = i;
        }
        for (int i = 0; i < calls.size(); i++) {
            ColumnType declared = compiler.typeOf(groupRowTypes.get(groups.size() + i), "aggregate result");
            if (!declared.equals(calls.get(i).resultType())) {
                throw new PlanningFailure(line, column, "internal: aggregate " + calls.get(i) + " is typed "
                        + declared + " by the validator");
            }
        }
        Lowered out = lower(top, aggregate, new Lowered(groupRow, groupRowTypes, List.of(), identity), compiler);
        List<Column> columns = columns(names, out.types(), compiler);
        List<String> keyNames = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            int p = indexOf(out.origins(), i);
            if (p < 0) {
                SqlNode item = select.getGroup() != null && select.getGroup().size() == groups.size()
                        ? select.getGroup().get(i) : select;
                throw at(item, "GROUP BY item '" + text(item) + "' must appear unchanged in the SELECT list: "
                        + "the GROUP BY items are the view's key");
            }
            keyNames.add(names.get(p));
        }
        boolean copartitioned = groups.size() == 1 && sourceKey.length == 1 && source.plainKeyed()
                && in.origins()[groups.get(0)] == sourceKey[0]
                && source.columns().get(sourceKey[0]).type().kind() == ColumnType.Kind.VARCHAR;
        CompiledViewPlan.AggregatePart part =
                new CompiledViewPlan.AggregatePart(inputs, calls, out.conditions(), out.fields());
        return new CompiledViewPlan(viewName, sql, source, schema(columns, keyNames), copartitioned,
                in.conditions(), key, part, null, sourceColumnsRead(top, source));
    }

    /**
     * The source columns a view reads: what its Project/Filter/Aggregate chain refers to, the source key (a
     * non-aggregating view's key) and the event-time column. A decoder need not build the others.
     */
    static BitSet sourceColumnsRead(RelNode top, SourceDefinition source) {
        BitSet read = fieldsRead(top, ImmutableBitSet.range(top.getRowType().getFieldCount()), source).toBitSet();
        for (int k : source.schema().keyIndexes()) {
            read.set(k);
        }
        int timestamp = source.timestampColumn() == null ? -1 : source.schema().indexOf(source.timestampColumn());
        if (timestamp >= 0) {
            read.set(timestamp);
        }
        return read;
    }

    /** The input fields of {@code node}'s chain down to the scan that its {@code needed} output fields read. */
    private static ImmutableBitSet fieldsRead(RelNode node, ImmutableBitSet needed, SourceDefinition source) {
        if (node instanceof TableScan) {
            return needed;
        }
        if (node instanceof Filter filter) {
            return fieldsRead(filter.getInput(), needed.union(RelOptUtil.InputFinder.bits(filter.getCondition())),
                    source);
        }
        if (node instanceof Project project) {
            ImmutableBitSet.Builder in = ImmutableBitSet.builder();
            for (int i : needed) {
                in.addAll(RelOptUtil.InputFinder.bits(project.getProjects().get(i)));
            }
            return fieldsRead(project.getInput(), in.build(), source);
        }
        if (node instanceof Aggregate aggregate) {
            ImmutableBitSet.Builder in = ImmutableBitSet.builder().addAll(aggregate.getGroupSet());
            // Calcite's call; the plan's own AggregateCall is imported under the simple name
            for (org.apache.calcite.rel.core.AggregateCall call : aggregate.getAggCallList()) {
                in.addAll(call.getArgList());
                if (call.filterArg >= 0) {
                    in.set(call.filterArg);
                }
            }
            return fieldsRead(aggregate.getInput(), in.build(), source);
        }
        return ImmutableBitSet.range(source.columns().size()); // not expected: build() accepts only the above
    }

    /** Output names of unaliased column references as the source declares them, not as the query spells them. */
    private static List<String> declaredCase(List<String> names, List<SqlNode> items, SourceDefinition source) {
        List<String> result = new ArrayList<>(names);
        if (items.size() != names.size()) {
            return result; // a * was expanded: its names are the declared ones already
        }
        for (int i = 0; i < result.size(); i++) {
            if (!(items.get(i) instanceof SqlIdentifier)) {
                continue;
            }
            int c = source.schema().indexOf(result.get(i));
            if (c >= 0) {
                result.set(i, source.columns().get(c).name());
            }
        }
        return result;
    }

    private String text(SqlNode node) {
        SqlParserPos pos = node.getParserPosition();
        try {
            int start = script.offset(pos.getLineNum(), pos.getColumnNum());
            int end = script.offset(pos.getEndLineNum(), pos.getEndColumnNum()) + 1;
            if (start >= 0 && end > start && end <= script.text().length()) {
                return script.text().substring(start, end);
            }
        } catch (RuntimeException ignored) {
            // fall back to Calcite's rendering
        }
        return node.toString().replace("`", "");
    }

    private Schema schema(List<Column> columns, List<String> keyNames) {
        try {
            return Schema.of(columns, keyNames);
        } catch (IllegalArgumentException e) {
            throw new PlanningFailure(line, column, "view '" + viewName + "': " + e.getMessage());
        }
    }

    private List<Column> columns(List<String> names, List<RelDataType> types, RexCompiler compiler) {
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            columns.add(new Column(names.get(i), compiler.typeOf(types.get(i), "column '" + names.get(i) + "'")));
        }
        return columns;
    }

    private static int indexOf(int[] origins, int base) {
        for (int i = 0; i < origins.length; i++) {
            if (origins[i] == base) {
                return i;
            }
        }
        return -1;
    }

    private void checkSupported(RelNode n) {
        if (n instanceof TableScan || n instanceof Project || n instanceof Filter || n instanceof Aggregate) {
            if (n instanceof Project p) {
                for (RexNode e : p.getProjects()) {
                    if (e instanceof org.apache.calcite.rex.RexOver) {
                        throw new PlanningFailure(line, column, "window functions (OVER) are not supported yet");
                    }
                }
            }
            return;
        }
        String kind = n.getRelTypeName().replace("Logical", "");
        String reason = switch (kind) {
            case "Join", "Correlate" -> "joins and subqueries are not supported yet; a view reads exactly one source";
            case "Window" -> "window functions (OVER) are not supported yet";
            case "Sort" -> "ORDER BY, LIMIT and OFFSET are not supported in a view";
            case "Values" -> "a view must read a source";
            case "Union", "Intersect", "Minus" -> "set operations are not supported yet";
            default -> "the query needs a " + kind + " step, which views do not support yet";
        };
        throw new PlanningFailure(line, column, reason);
    }

    /**
     * Compiles a Project/Filter chain down to a base: the source row for a TableScan, or {@code base} when
     * reaching {@code stop}.
     */
    private Lowered lower(RelNode node, RelNode stop, Lowered base, RexCompiler compiler) {
        if (node == stop) {
            return base;
        }
        if (node instanceof TableScan scan) {
            List<RelDataTypeField> fields = scan.getRowType().getFieldList();
            List<Evaluator> evaluators = new ArrayList<>();
            List<RelDataType> types = new ArrayList<>();
            int[] origins = new int[fields.size()];
            for (int i = 0; i < fields.size(); i++) {
                evaluators.add(Expressions.field(i));
                types.add(fields.get(i).getType());
                origins[i] = i;
            }
            return new Lowered(evaluators, types, List.of(), origins);
        }
        if (node instanceof Filter filter) {
            Lowered in = lower(filter.getInput(), stop, base, compiler);
            List<Evaluator> conditions = new ArrayList<>(in.conditions());
            conditions.add(compiler.compile(filter.getCondition(), in.fields()));
            return new Lowered(in.fields(), in.types(), conditions, in.origins());
        }
        if (node instanceof Project project) {
            Lowered in = lower(project.getInput(), stop, base, compiler);
            List<RexNode> exprs = project.getProjects();
            List<Evaluator> fields = new ArrayList<>();
            List<RelDataType> types = new ArrayList<>();
            int[] origins = new int[exprs.size()];
            for (int i = 0; i < exprs.size(); i++) {
                RexNode e = exprs.get(i);
                fields.add(compiler.compile(e, in.fields()));
                types.add(e.getType());
                origins[i] = e instanceof RexInputRef ref ? in.origins()[ref.getIndex()] : -1;
            }
            return new Lowered(fields, types, in.conditions(), origins);
        }
        checkSupported(node);
        throw new PlanningFailure(line, column, "unexpected " + node.getRelTypeName() + " in the view's plan");
    }

    private Evaluator aggregateInput(org.apache.calcite.rel.core.AggregateCall call, Lowered in,
                                     RexCompiler compiler) {
        Evaluator value = call.getArgList().isEmpty() ? compiler.constant(Boolean.TRUE)
                : in.fields().get(call.getArgList().get(0));
        if (call.filterArg < 0) {
            return value;
        }
        Evaluator filter = in.fields().get(call.filterArg);
        return row -> filter.eval(row) == Boolean.TRUE ? value.eval(row) : null;
    }

    private AggregateCall aggregateCall(org.apache.calcite.rel.core.AggregateCall call, Lowered in,
                                        RexCompiler compiler) {
        SqlKind kind = call.getAggregation().getKind();
        List<Integer> args = call.getArgList();
        AggregateFunction function = switch (kind) {
            case COUNT -> args.isEmpty() ? AggregateFunction.COUNT_STAR : AggregateFunction.COUNT;
            case SUM -> AggregateFunction.SUM;
            case AVG -> AggregateFunction.AVG;
            case MIN -> AggregateFunction.MIN;
            case MAX -> AggregateFunction.MAX;
            default -> throw new PlanningFailure(line, column, "aggregate function " + call.getAggregation().getName()
                    + " is not supported yet; supported are COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM, AVG, MIN, MAX");
        };
        if (args.size() > 1) {
            throw new PlanningFailure(line, column, call.getAggregation().getName() + " with " + args.size()
                    + " arguments is not supported; give it one argument");
        }
        ColumnType input = args.isEmpty() ? ColumnType.BOOLEAN
                : compiler.typeOf(in.types().get(args.get(0)), call.getAggregation().getName() + " argument");
        ColumnType result;
        try {
            result = AggregateCall.resultTypeOf(function, input);
        } catch (IllegalArgumentException e) {
            throw new PlanningFailure(line, column, e.getMessage());
        }
        return new AggregateCall(function, call.isDistinct(), input, result);
    }
}
