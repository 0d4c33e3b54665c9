package dev.statefront.state.server;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Builds the records the processor would write (catalog, changes, markers) and feeds them in batches. */
final class Feeder {
    private final String appId;
    private final StateFeed feed;
    private final Map<String, Long> nextOffsets = new HashMap<>();
    private final Map<String, CatalogEntry> views = new HashMap<>();
    private final Map<String, Map<String, Object[]>> rows = new HashMap<>();
    private FeedBatch batch = new FeedBatch();

    Feeder(String appId, StateFeed feed) {
        this.appId = appId;
        this.feed = feed;
    }

    Feeder catalog(CatalogEntry entry) {
        if (entry.kind() == CatalogEntry.Kind.VIEW) {
            views.put(entry.name(), entry);
        }
        add(Topics.catalog(appId), 0, entry.catalogKey().getBytes(StandardCharsets.UTF_8), entry.toJson());
        return this;
    }

    /** Writes the change that makes {@code row} the view's row of its key; returns the partition. */
    int upsert(String view, Object[] row, Position position) {
        CatalogEntry e = views.get(view);
        Object[] key = e.schema().keyOf(row);
        int p = Partitions.forKey(e.schema().keyTypes(), key, e.partitions());
        ChangeEventCodec codec = new ChangeEventCodec(appId, e.schema());
        Object[] before = rows.computeIfAbsent(view, v -> new HashMap<>()).put(java.util.Arrays.toString(key), row);
        ChangeEvent ev = new ChangeEvent(ChangeEvent.opFor(before, row), before, row, 1L, view, p, position);
        add(e.topic(), p, codec.encodeKey(key), codec.encodeValue(ev));
        return p;
    }

    /** Writes a delete change and its tombstone; returns the partition. */
    int delete(String view, Object[] key, Position position) {
        CatalogEntry e = views.get(view);
        int p = Partitions.forKey(e.schema().keyTypes(), key, e.partitions());
        ChangeEventCodec codec = new ChangeEventCodec(appId, e.schema());
        Object[] before = rows.computeIfAbsent(view, v -> new HashMap<>()).remove(java.util.Arrays.toString(key));
        ChangeEvent ev = new ChangeEvent(ChangeEvent.Op.DELETE, before, null, 1L, view, p, position);
        add(e.topic(), p, codec.encodeKey(key), codec.encodeValue(ev));
        add(e.topic(), p, codec.encodeKey(key), null);
        return p;
    }

    /** A raw record on a change topic (for bad input). */
    Feeder raw(String view, int partition, byte[] key, byte[] value) {
        add(views.get(view).topic(), partition, key, value);
        return this;
    }

    /** A progress marker for a view partition at the partition's current end (as the processor writes it). */
    Feeder marker(String view, int partition, Position position, long asOfMs) {
        long viewOffset = nextOffsets.getOrDefault(views.get(view).topic() + "/" + partition, 0L);
        return marker(new ProgressMarker(view, partition, viewOffset, position, asOfMs, asOfMs));
    }

    Feeder marker(ProgressMarker m) {
        add(Topics.progress(appId), 0, m.key(), m.toJson());
        return this;
    }

    /** Markers for every partition of a view. */
    Feeder markers(String view, Position position, long asOfMs) {
        for (int p = 0; p < views.get(view).partitions(); p++) {
            marker(view, p, position, asOfMs);
        }
        return this;
    }

    /** Simulates a transaction commit marker: the read position moves one past the end. */
    Feeder commitMarker(String view, int partition) {
        String k = views.get(view).topic() + "/" + partition;
        long next = nextOffsets.getOrDefault(k, 0L) + 1;
        nextOffsets.put(k, next);
        batch.advance(views.get(view).topic(), partition, next);
        return this;
    }

    long nextOffset(String view, int partition) {
        return nextOffsets.getOrDefault(views.get(view).topic() + "/" + partition, 0L);
    }

    void flush() {
        FeedBatch b = batch;
        batch = new FeedBatch();
        feed.apply(b);
    }

    private void add(String topic, int partition, byte[] key, byte[] value) {
        String k = topic + "/" + partition;
        long offset = nextOffsets.getOrDefault(k, 0L);
        nextOffsets.put(k, offset + 1);
        batch.add(topic, partition, offset, key, value);
    }
}
