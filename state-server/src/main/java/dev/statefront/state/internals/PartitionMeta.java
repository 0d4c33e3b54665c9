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
 */
public record PartitionMeta(long nextOffset, Position position, long asOfMs, long markerViewOffset, long rowCount) {
    private static final byte VERSION = 1;

    /** A partition nothing has been applied to. */
    public static final PartitionMeta INITIAL = new PartitionMeta(0, Position.EMPTY, -1, -1, 0);

    /** This meta after a marker: positions only grow, {@code asOf} only moves forward. */
    public PartitionMeta withMarker(ProgressMarker m) {
        if (m.viewOffset() < markerViewOffset) {
            return this;
        }
        return new PartitionMeta(nextOffset, position.merge(m.position()), Math.max(asOfMs, m.asOfMs()),
                m.viewOffset(), rowCount);
    }

    /** This meta with the read position raised to at least {@code next}. */
    public PartitionMeta withNextOffset(long next) {
        return next <= nextOffset ? this : new PartitionMeta(next, position, asOfMs, markerViewOffset, rowCount);
    }

    /** This meta with the row count moved by {@code delta}. */
    public PartitionMeta withRowDelta(long delta) {
        return delta == 0 ? this : new PartitionMeta(nextOffset, position, asOfMs, markerViewOffset, rowCount + delta);
    }

    /** The stored form. */
    public byte[] encode() {
        byte[] token = position.token().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 * 4 + 4 + token.length).put(VERSION).putLong(nextOffset).putLong(asOfMs)
                .putLong(markerViewOffset).putLong(rowCount).putInt(token.length).put(token).array();
    }

    /**
     * Reads the stored form.
     *
     * @throws IllegalArgumentException if the bytes are not a stored partition meta
     */
    public static PartitionMeta decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte version = buf.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown partition meta version " + version);
        }
        long next = buf.getLong();
        long asOf = buf.getLong();
        long markerOffset = buf.getLong();
        long rows = buf.getLong();
        byte[] token = new byte[buf.getInt()];
        buf.get(token);
        return new PartitionMeta(next, Position.fromToken(new String(token, StandardCharsets.UTF_8)), asOf,
                markerOffset, rows);
    }
}
