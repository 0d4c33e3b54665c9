package dev.statefront.processor.plan;

/** The aggregate functions an aggregating view can compute. */
public enum AggregateFunction {
    /** {@code COUNT(*)}: rows, whatever their values; its input is a non-null marker. */
    COUNT_STAR,
    /** {@code COUNT(x)}: non-null inputs. */
    COUNT,
    /** {@code SUM(x)}: NULL when no non-null input. */
    SUM,
    /** {@code AVG(x)}: NULL when no non-null input. */
    AVG,
    /** {@code MIN(x)}. */
    MIN,
    /** {@code MAX(x)}. */
    MAX
}
