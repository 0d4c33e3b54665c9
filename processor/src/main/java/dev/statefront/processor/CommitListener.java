package dev.statefront.processor;

import dev.statefront.core.CommittedPartition;
import java.util.List;

/**
 * Told, on the processing thread right after each transaction commits, what it wrote to every view partition the
 * thread owns. A state server in the same process applies these without reading them back from Kafka; it must
 * return quickly (hand the work to another thread) and must not throw.
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
}
