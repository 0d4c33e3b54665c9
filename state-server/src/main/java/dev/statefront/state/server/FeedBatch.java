package dev.statefront.state.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one poll delivered: records in the order read, plus the read position reached on each topic-partition
 * (which can be past the last record: transaction markers take offsets). A batch is applied atomically.
 * Not thread-safe while being built.
 */
public final class FeedBatch {
    private final List<FeedRecord> records = new ArrayList<>();
    private final Map<String, Map<Integer, Long>> positions = new LinkedHashMap<>();

    /** Adds a record; the position of its partition becomes at least its offset + 1. */
    public FeedBatch add(FeedRecord record) {
        records.add(record);
        return advance(record.topic(), record.partition(), record.offset() + 1);
    }

    /** Adds a record built from its parts. */
    public FeedBatch add(String topic, int partition, long offset, byte[] key, byte[] value) {
        return add(new FeedRecord(topic, partition, offset, key, value));
    }

    /** Records that the reader has consumed a topic-partition up to (excluding) {@code nextOffset}. */
    public FeedBatch advance(String topic, int partition, long nextOffset) {
        positions.computeIfAbsent(topic, t -> new LinkedHashMap<>()).merge(partition, nextOffset, Math::max);
        return this;
    }

    /** The records, in order. */
    public List<FeedRecord> records() {
        return Collections.unmodifiableList(records);
    }

    /** Read positions: topic → partition → next offset. */
    public Map<String, Map<Integer, Long>> positions() {
        return Collections.unmodifiableMap(positions);
    }

    /** True if the batch holds neither records nor positions. */
    public boolean isEmpty() {
        return records.isEmpty() && positions.isEmpty();
    }
}
