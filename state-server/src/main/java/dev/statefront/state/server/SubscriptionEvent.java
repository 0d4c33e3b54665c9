package dev.statefront.state.server;

import dev.statefront.core.ChangeEvent;
import dev.statefront.core.Position;

/**
 * One event of a change subscription, in delivery order.
 *
 * @param type what the event is
 * @param op for rows and changes: {@code r} for snapshot rows, else {@code c}/{@code u}/{@code d}; null otherwise
 * @param key the row's key values in key-column order; null for markers
 * @param before the row before a change; null for creates, snapshot rows and markers
 * @param after the row after a change or the snapshot row; null for deletes and markers
 * @param tsMs when the processor made the change (epoch ms); 0 for snapshot rows and markers
 * @param partition the view partition; -1 for markers
 * @param offset the change-topic offset of a change; -1 otherwise
 * @param position for changes, the source positions the change reflects; for the snapshot-complete marker, the
 *     source positions the snapshot reflects; empty otherwise
 * @param token the resume token after this event (pass it back to resume right after it); null for snapshot
 *     rows (a snapshot is not resumable half-way: start again from the snapshot) and for the end event
 * @param end for {@link Type#END}, why the subscription ended; null otherwise
 */
public record SubscriptionEvent(Type type, ChangeEvent.Op op, Object[] key, Object[] before, Object[] after,
                                long tsMs, int partition, long offset, Position position, String token,
                                SubscriptionEnd end) {

    /** Event types. */
    public enum Type {
        /** A row of the initial snapshot ({@code op=r}). */
        SNAPSHOT_ROW,
        /** The snapshot is complete; changes after its position follow. */
        SNAPSHOT_COMPLETE,
        /** A change of one row. */
        CHANGE,
        /** The last event: the subscription ended, see {@link #end()}. */
        END
    }
}
