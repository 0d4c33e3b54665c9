package dev.statefront.state.internals;

import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The applied state of one view partition, stored in the meta column family in the same write batch as the
 * changes it covers.
 *
 * @param nextOffset the next change-topic offset to apply
 * @param position the source position served (from the last marker applied)
 * @param asOfMs complete as of; -1 before any marker
 * @param markerViewOffset the view offset of the last marker applied; -1 before any
 * @param rowCount the rows of this partition
 * @param nextChangeOffset the offset after the last change applied (transaction markers and records of aborted
 *     transactions, which move {@code nextOffset}, do not move it); markers that do not know where their changes
 *     end are measured against it ({@link ProgressMarker#reachedBy})
 */
public record PartitionMeta(long nextOffset, Position position, long asOfMs, long markerViewOffset, long rowCount,
                            long nextChangeOffset) {
    private static final byte VERSION = 2;

    /** A partition nothing has been applied to. */
    public static final PartitionMeta INITIAL = new PartitionMeta(0, Position.EMPTY, -1, -1, 0, 0);

    /** Whether this partition has applied what {@code m} covers. */
    public boolean reached(ProgressMarker m) {
        return m.reachedBy(nextOffset, nextChangeOffset);
    }

    /** This meta after a marker: positions only grow, {@code asOf} only moves forward. */
    public PartitionMeta withMarker(ProgressMarker m) {
        if (m.viewOffset() < markerViewOffset) {
            return this;
        }
        return new PartitionMeta(nextOffset, position.merge(m.position()), Math.max(asOfMs, m.asOfMs()),
                m.viewOffset(), rowCount, nextChangeOffset);
    }

    /** This meta with the read position raised to at least {@code next}. */
    public PartitionMeta withNextOffset(long next) {
        return next <= nextOffset ? this
                : new PartitionMeta(next, position, asOfMs, markerViewOffset, rowCount, nextChangeOffset);
    }

    /** This meta after applying the change at {@code offset}: both the read position and the change end move. */
    public PartitionMeta withChangeAt(long offset) {
        return new PartitionMeta(Math.max(nextOffset, offset + 1), position, asOfMs, markerViewOffset, rowCount,
                Math.max(nextChangeOffset, offset + 1));
    }

    /** This meta with the row count moved by {@code delta}. */
    public PartitionMeta withRowDelta(long delta) {
        return delta == 0 ? this
                : new PartitionMeta(nextOffset, position, asOfMs, markerViewOffset, rowCount + delta, nextChangeOffset);
    }

    /** The stored form. */
    public byte[] encode() {
        byte[] token = position.token().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 * 5 + 4 + token.length).put(VERSION).putLong(nextOffset).putLong(asOfMs)
                .putLong(markerViewOffset).putLong(rowCount).putLong(nextChangeOffset).putInt(token.length).put(token)
                .array();
    }

    /**
     * Reads the stored form.
     *
     * @throws IllegalArgumentException if the bytes are not a stored partition meta
     */
    public static PartitionMeta decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte version = buf.get();
        if (version != 1 && version != VERSION) {
            throw new IllegalArgumentException("unknown partition meta version " + version);
        }
        long next = buf.getLong();
        long asOf = buf.getLong();
        long markerOffset = buf.getLong();
        long rows = buf.getLong();
        // version 1 did not store it: the last marker's offset is where applied changes are known to reach
        long nextChange = version == 1 ? Math.max(0, markerOffset) : buf.getLong();
        byte[] token = new byte[buf.getInt()];
        buf.get(token);
        return new PartitionMeta(next, Position.fromToken(new String(token, StandardCharsets.UTF_8)), asOf,
                markerOffset, rows, nextChange);
    }
}
