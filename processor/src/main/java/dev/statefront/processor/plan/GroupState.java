package dev.statefront.processor.plan;

/**
 * The running aggregates of one group of an aggregating view. Mutable, not thread-safe; one instance
 * per group at a time.
 */
public interface GroupState {
    /** Adds one input row's aggregate inputs (as made by {@link ViewPlan#aggregateInputs}). */
    void add(Object[] aggregateInputs);

    /** Removes one input row previously added (retraction: updates and deletes of table sources). */
    void retract(Object[] aggregateInputs);

    /** How many input rows the group holds now; a group at 0 leaves the view. */
    long rowCount();

    /** The current result of each aggregate, in {@link ViewPlan#aggregates()} order. */
    Object[] results();

    /** A compact binary form, read back by {@link ViewPlan#groupStateFromBytes}. */
    byte[] toBytes();
}
