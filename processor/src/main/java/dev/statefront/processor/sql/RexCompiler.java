package dev.statefront.processor.sql;

import dev.statefront.core.ColumnType;
import dev.statefront.processor.plan.EvaluationException;
import dev.statefront.processor.plan.Evaluator;
import dev.statefront.processor.plan.Expressions;
import dev.statefront.processor.plan.Expressions.Arithmetic;
import dev.statefront.processor.plan.Expressions.Comparison;
import dev.statefront.processor.plan.Expressions.Domain;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Compiles Calcite row expressions, once, into trees of {@link Evaluator}s. Input references resolve to the
 * evaluators of the input's fields, so stacked projections and filters are inlined into one tree over the
 * original row. Sub-trees without input references are evaluated at compile time.
 */
final class RexCompiler {
    static final String SUPPORTED = "supported are + - * / %, comparisons, AND, OR, NOT, IS [NOT] NULL, "
            + "IS [NOT] DISTINCT FROM, BETWEEN, IN, LIKE, CASE, COALESCE, NULLIF, CAST, LOWER, UPPER, CONCAT, ||, "
            + "SUBSTRING, TRIM, CHAR_LENGTH, ABS";
    private static final Object[] NO_ROW = new Object[0];

    private final RexBuilder rexBuilder;
    private final int line;
    private final int column;
    private final Set<Evaluator> constants = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * @param line position reported for failures (expressions carry no positions of their own)
     */
    RexCompiler(RexBuilder rexBuilder, int line, int column) {
        this.rexBuilder = rexBuilder;
        this.line = line;
        this.column = column;
    }

    /** A constant evaluator known to this compiler as constant. */
    Evaluator constant(Object value) {
        Evaluator e = Expressions.constant(value);
        constants.add(e);
        return e;
    }

    Evaluator compile(RexNode node, List<Evaluator> inputs) {
        return compileNode(RexUtil.expandSearch(rexBuilder, null, node), inputs);
    }

    PlanningFailure failure(String reason) {
        return new PlanningFailure(line, column, reason);
    }

    ColumnType typeOf(RelDataType type, String what) {
        try {
            return CalciteTypes.fromCalcite(type);
        } catch (IllegalArgumentException e) {
            throw failure(what + ": " + e.getMessage());
        }
    }

    private Evaluator compileNode(RexNode node, List<Evaluator> inputs) {
        if (node instanceof RexLiteral literal) {
            return constant(literalValue(literal));
        }
        if (node instanceof RexInputRef ref) {
            return inputs.get(ref.getIndex());
        }
        if (node instanceof RexOver) {
            throw failure("window functions (OVER) are not supported yet");
        }
        if (node instanceof RexSubQuery) {
            throw failure("subqueries are not supported yet; a view reads exactly one source");
        }
        if (node instanceof RexCall call) {
            List<Evaluator> operands = new ArrayList<>(call.getOperands().size());
            boolean allConstant = true;
            for (RexNode operand : call.getOperands()) {
                Evaluator e = compileNode(operand, inputs);
                allConstant &= constants.contains(e);
                operands.add(e);
            }
            Evaluator e;
            try {
                e = call(call, operands);
            } catch (IllegalArgumentException ex) {
                throw failure(ex.getMessage());
            }
            if (allConstant && !constants.contains(e)) {
                try {
                    return constant(e.eval(NO_ROW));
                } catch (EvaluationException ex) {
                    throw failure("constant expression fails: " + ex.getMessage());
                }
            }
            return e;
        }
        throw failure("expression " + node + " is not supported; " + SUPPORTED);
    }

    private Object literalValue(RexLiteral literal) {
        if (literal.isNull()) {
            return null;
        }
        RelDataType type = literal.getType();
        switch (type.getSqlTypeName()) {
            case BOOLEAN:
                return literal.getValueAs(Boolean.class);
            case TINYINT:
            case SMALLINT:
            case INTEGER:
                return literal.getValueAs(BigDecimal.class).intValueExact();
            case BIGINT:
                return literal.getValueAs(BigDecimal.class).longValueExact();
            case DECIMAL:
                return literal.getValueAs(BigDecimal.class).setScale(type.getScale(), RoundingMode.HALF_UP);
            case FLOAT:
            case REAL:
            case DOUBLE:
                return literal.getValueAs(BigDecimal.class).doubleValue();
            case CHAR:
            case VARCHAR:
                return literal.getValueAs(String.class);
            case TIMESTAMP:
                return literal.getValueAs(Long.class);
            case SYMBOL:
                return literal.getValue();
            default:
                throw failure("literal " + literal + " of type " + type.getFullTypeString() + " is not supported; "
                        + "supported types are BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, TIMESTAMP");
        }
    }

    private static boolean isNullType(RexNode node) {
        return node.getType().getSqlTypeName() == SqlTypeName.NULL;
    }

    private Evaluator call(RexCall call, List<Evaluator> ops) {
        List<RexNode> operands = call.getOperands();
        switch (call.getKind()) {
            case PLUS:
                return arithmetic(Arithmetic.PLUS, call, ops);
            case MINUS:
                return arithmetic(Arithmetic.MINUS, call, ops);
            case TIMES:
                return arithmetic(Arithmetic.TIMES, call, ops);
            case DIVIDE:
                return arithmetic(Arithmetic.DIVIDE, call, ops);
            case MOD:
                return arithmetic(Arithmetic.MOD, call, ops);
            case MINUS_PREFIX:
                return isNullType(operands.get(0)) ? constant(null)
                        : Expressions.negate(typeOf(call.getType(), "unary minus"), ops.get(0));
            case PLUS_PREFIX:
            case REINTERPRET:
                return ops.get(0);
            case EQUALS:
                return comparison(Comparison.EQUALS, call, ops);
            case NOT_EQUALS:
                return comparison(Comparison.NOT_EQUALS, call, ops);
            case LESS_THAN:
                return comparison(Comparison.LESS_THAN, call, ops);
            case LESS_THAN_OR_EQUAL:
                return comparison(Comparison.LESS_THAN_OR_EQUAL, call, ops);
            case GREATER_THAN:
                return comparison(Comparison.GREATER_THAN, call, ops);
            case GREATER_THAN_OR_EQUAL:
                return comparison(Comparison.GREATER_THAN_OR_EQUAL, call, ops);
            case IS_DISTINCT_FROM:
            case IS_NOT_DISTINCT_FROM: {
                boolean distinct = call.getKind() == org.apache.calcite.sql.SqlKind.IS_DISTINCT_FROM;
                if (isNullType(operands.get(0)) || isNullType(operands.get(1))) {
                    RexNode other = isNullType(operands.get(0)) ? operands.get(1) : operands.get(0);
                    Evaluator otherE = isNullType(operands.get(0)) ? ops.get(1) : ops.get(0);
                    return isNullType(other) ? constant(!distinct) : Expressions.isNull(otherE, distinct);
                }
                return Expressions.isDistinctFrom(distinct, domain(operands), ops.get(0), ops.get(1));
            }
            case AND:
                return Expressions.and(ops.toArray(new Evaluator[0]));
            case OR:
                return Expressions.or(ops.toArray(new Evaluator[0]));
            case NOT:
                return Expressions.not(ops.get(0));
            case IS_NULL:
                return Expressions.isNull(ops.get(0), false);
            case IS_NOT_NULL:
                return Expressions.isNull(ops.get(0), true);
            case IS_TRUE:
                return Expressions.is(ops.get(0), true, false);
            case IS_NOT_TRUE:
                return Expressions.is(ops.get(0), true, true);
            case IS_FALSE:
                return Expressions.is(ops.get(0), false, false);
            case IS_NOT_FALSE:
                return Expressions.is(ops.get(0), false, true);
            case CASE: {
                int pairs = (ops.size() - 1) / 2;
                Evaluator[] conditions = new Evaluator[pairs];
                Evaluator[] values = new Evaluator[pairs];
                for (int i = 0; i < pairs; i++) {
                    conditions[i] = ops.get(2 * i);
                    values[i] = ops.get(2 * i + 1);
                }
                return Expressions.caseWhen(conditions, values, ops.get(ops.size() - 1));
            }
            case COALESCE:
                return Expressions.coalesce(ops.toArray(new Evaluator[0]));
            case CAST:
            case SAFE_CAST:
                if (isNullType(operands.get(0))) {
                    return constant(null);
                }
                return Expressions.cast(typeOf(operands.get(0).getType(), "CAST operand"),
                        typeOf(call.getType(), "CAST target"), ops.get(0));
            case LIKE: {
                if (!(operands.get(1) instanceof RexLiteral pattern) || !constants.contains(ops.get(1))) {
                    throw failure("LIKE needs a constant pattern");
                }
                boolean negated = call.getOperator() instanceof SqlLikeOperator like && like.isNegated();
                if (call.getOperator() instanceof SqlLikeOperator like && !like.isCaseSensitive()) {
                    throw failure("ILIKE is not supported yet; use LOWER(x) LIKE 'pattern'");
                }
                Object patternValue = ops.get(1).eval(NO_ROW);
                if (patternValue == null) {
                    return constant(null);
                }
                Character escape = null;
                if (ops.size() > 2) {
                    Object esc = ops.get(2).eval(NO_ROW);
                    if (!(esc instanceof String s) || s.length() != 1) {
                        throw failure("the LIKE escape must be a single character");
                    }
                    escape = s.charAt(0);
                }
                return Expressions.like(ops.get(0), (String) patternValue, escape, negated);
            }
            case TRIM: {
                Object flag = ops.get(0).eval(NO_ROW);
                Expressions.TrimMode mode = Expressions.TrimMode.valueOf(String.valueOf(flag).toUpperCase(Locale.ROOT));
                return Expressions.trim(mode, ops.get(1), ops.get(2));
            }
            case CHAR_LENGTH:
                return Expressions.charLength(ops.get(0));
            default:
                break;
        }
        String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
        switch (name) {
            case "LOWER":
                return Expressions.lower(ops.get(0));
            case "UPPER":
                return Expressions.upper(ops.get(0));
            case "||":
                return Expressions.concat(false, ops.toArray(new Evaluator[0]));
            case "CONCAT":
                return Expressions.concat(true, ops.toArray(new Evaluator[0]));
            case "SUBSTRING":
                return Expressions.substring(ops.get(0), ops.get(1), ops.size() > 2 ? ops.get(2) : null);
            case "CHAR_LENGTH":
            case "CHARACTER_LENGTH":
                return Expressions.charLength(ops.get(0));
            case "ABS":
                return Expressions.abs(typeOf(call.getType(), "ABS"), ops.get(0));
            default:
                throw failure("function " + call.getOperator().getName() + " is not supported yet; " + SUPPORTED);
        }
    }

    private Evaluator arithmetic(Arithmetic op, RexCall call, List<Evaluator> ops) {
        List<RexNode> operands = call.getOperands();
        if (isNullType(operands.get(0)) || isNullType(operands.get(1))) {
            return constant(null);
        }
        ColumnType result = typeOf(call.getType(), "arithmetic result");
        ColumnType left = typeOf(operands.get(0).getType(), "arithmetic operand");
        ColumnType right = typeOf(operands.get(1).getType(), "arithmetic operand");
        boolean integral = result.kind() == ColumnType.Kind.INT || result.kind() == ColumnType.Kind.BIGINT;
        if (integral && (!isIntegral(left) || !isIntegral(right))) {
            // e.g. MOD(DECIMAL, INT) is typed INT by Calcite: compute exactly, then convert
            ColumnType wide = left.kind() == ColumnType.Kind.DOUBLE || right.kind() == ColumnType.Kind.DOUBLE
                    ? ColumnType.DOUBLE
                    : ColumnType.decimal(ColumnType.MAX_DECIMAL_PRECISION, Math.max(left.scale(), right.scale()));
            return Expressions.cast(wide, result, Expressions.arithmetic(op, wide, ops.get(0), ops.get(1)));
        }
        return Expressions.arithmetic(op, result, ops.get(0), ops.get(1));
    }

    private static boolean isIntegral(ColumnType t) {
        return t.kind() == ColumnType.Kind.INT || t.kind() == ColumnType.Kind.BIGINT;
    }

    private Evaluator comparison(Comparison op, RexCall call, List<Evaluator> ops) {
        if (isNullType(call.getOperands().get(0)) || isNullType(call.getOperands().get(1))) {
            return constant(null);
        }
        return Expressions.compare(op, domain(call.getOperands()), ops.get(0), ops.get(1));
    }

    private Domain domain(List<RexNode> operands) {
        return Domain.of(typeOf(operands.get(0).getType(), "comparison operand"),
                typeOf(operands.get(1).getType(), "comparison operand"));
    }
}
