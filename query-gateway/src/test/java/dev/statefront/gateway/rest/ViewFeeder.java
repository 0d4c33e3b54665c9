package dev.statefront.gateway.rest;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.Topics;
import dev.statefront.state.server.FeedBatch;
import dev.statefront.state.server.StateFeed;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Writes what the processor would (catalog entries, change envelopes, progress markers) into a state feed. */
public final class ViewFeeder {
    private final String appId;
    private final StateFeed feed;
    private final Map<String, Long> nextOffsets = new HashMap<>();
    private final Map<String, CatalogEntry> views = new HashMap<>();
    private FeedBatch batch = new FeedBatch();

    public ViewFeeder(String appId, StateFeed feed) {
        this.appId = appId;
        this.feed = feed;
    }

    public ViewFeeder catalog(CatalogEntry entry) {
        if (entry.kind() == CatalogEntry.Kind.VIEW) {
            views.put(entry.name(), entry);
        }
        add(Topics.catalog(appId), 0, entry.catalogKey().getBytes(StandardCharsets.UTF_8), entry.toJson());
        return this;
    }

    public ViewFeeder upsert(String view, Object[] row, Position position) {
        CatalogEntry e = views.get(view);
        Object[] key = e.schema().keyOf(row);
        int p = Partitions.forKey(e.schema().keyTypes(), key, e.partitions());
        ChangeEventCodec codec = new ChangeEventCodec(appId, e.schema());
        ChangeEvent ev = new ChangeEvent(ChangeEvent.Op.CREATE, null, row, 1L, view, p, position);
        add(e.topic(), p, codec.encodeKey(key), codec.encodeValue(ev));
        return this;
    }

    /** Markers at the current end of every partition of a view. */
    public ViewFeeder markers(String view, Position position, long asOfMs) {
        CatalogEntry e = views.get(view);
        for (int p = 0; p < e.partitions(); p++) {
            long viewOffset = nextOffsets.getOrDefault(e.topic() + "/" + p, 0L);
            ProgressMarker m = new ProgressMarker(view, p, viewOffset, position, asOfMs, asOfMs);
            add(Topics.progress(appId), 0, m.key(), m.toJson());
        }
        return this;
    }

    public void flush() {
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
