package dev.statefront.core;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What one committed processor transaction wrote to one partition of a view's change topic, handed to a state
 * server in the same process so it can apply the changes without reading them back from Kafka. The records are
 * the ones the change topic holds at these offsets, with their decoded form alongside.
 *
 * <p>A reader may apply the changes only once it has applied the partition up to {@code expectFrom}: between
 * {@code expectFrom} and the first change there is nothing but transaction markers, so nothing is skipped. A
 * reader that is further behind leaves them to its Kafka feed.
 *
 * @param view the view
 * @param topic the view's change topic
 * @param partition the change topic partition
 * @param expectFrom the partition's next offset after the previous transaction of the same writer
 * @param changes the records written, in offset order (possibly none); handed over, not copied
 * @param marker the progress marker written in the same transaction (view offset, source position, as-of)
 */
public record CommittedPartition(String view, String topic, int partition, long expectFrom, List<Change> changes,
                                 ProgressMarker marker) {
    public CommittedPartition {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(marker, "marker");
        changes = Collections.unmodifiableList(changes); // built once per commit by its writer
    }

    /**
     * One change record.
     *
     * @param offset its offset in the change topic partition
     * @param key the record key bytes
     * @param value the record value bytes; null for the tombstone after a delete
     * @param keyValues the view key the record key encodes
     * @param event the change the value encodes; null for a tombstone
     */
    public record Change(long offset, byte[] key, byte[] value, Object[] keyValues, ChangeEvent event) {
    }
}
