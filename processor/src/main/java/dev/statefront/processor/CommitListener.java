package dev.statefront.processor;

import dev.statefront.core.CommittedPartition;
import java.util.List;

/**
 * Told, on the processing thread right after each transaction commits, what it wrote to every view partition the
 * thread owns, and when the thread stops writing a view partition. A state server in the same process applies
 * the commits without reading them back from Kafka; it must return quickly (hand the work to another thread, in
 * the order it was told) and must not throw.
 */
@FunctionalInterface
public interface CommitListener {
    /**
     * A transaction committed.
     *
     * @param partitions one entry per view partition of the thread, each with its progress marker and the change
     *     records written (possibly none)
     */
    void committed(List<CommittedPartition> partitions);

    /**
     * The thread stopped writing a view partition (its source partition was revoked or lost, or the processor
     * stops): whatever it committed there was already told; later commits there come from another processor, so
     * they reach the listener's readers only through the change topic.
     *
     * @param changeTopic the view's change topic
     * @param partition the partition of it
     */
    default void released(String changeTopic, int partition) {
    }
}
