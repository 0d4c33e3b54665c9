package dev.statefront.processor.plan;

/**
 * One compiled SQL expression: reads a row (an {@code Object[]} in the layout the expression was compiled
 * for) and returns the value, or null for SQL NULL. Thread-safe and stateless.
 */
@FunctionalInterface
public interface Evaluator {
    /**
     * Evaluates the expression against a row.
     *
     * @param row the input row; never null
     * @return the value in its {@link dev.statefront.core.ColumnType} Java representation, or null for SQL NULL
     * @throws EvaluationException if the expression fails on this row (division by zero, a bad CAST, overflow)
     */
    Object eval(Object[] row);
}
