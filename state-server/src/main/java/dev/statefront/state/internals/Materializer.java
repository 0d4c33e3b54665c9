package dev.statefront.state.internals;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.CommittedPartition;
import dev.statefront.core.DecodeException;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.RowCodec;
import dev.statefront.core.Topics;
import dev.statefront.state.server.FeedBatch;
import dev.statefront.state.server.FeedRecord;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import dev.statefront.state.store.KeyValue;
import dev.statefront.state.store.StateStore;
import dev.statefront.state.store.StoreBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the state server reads (catalog entries, view changes, progress markers) to the store, and
 * answers reads with positions and freshness. One thread applies ({@link #apply}); any number read.
 *
 * <p>Each batch is one RocksDB write batch holding the row changes and the meta data they imply (next offsets,
 * served positions, row counts, catalog entries, the catalog and progress read offsets), so after a crash the
 * reader seeks to the stored offsets and nothing is applied twice. A progress marker is queued per view
 * partition and applied only once that partition's change topic has been read up to the marker's view offset.
 */
public final class Materializer {
    private static final Logger LOG = LoggerFactory.getLogger(Materializer.class);
    private static final byte[] CATALOG_PREFIX = "c\0".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PARTITION_PREFIX = "p\0".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CATALOG_OFFSET_KEY = "o\0catalog".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PROGRESS_OFFSET_KEY = "o\0progress".getBytes(StandardCharsets.UTF_8);

    private final String appId;
    private final String catalogTopic;
    private final String progressTopic;
    private final StateStore store;
    private final Clock clock;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();

    private volatile Map<String, ViewState> views;
    private volatile Map<String, ViewState> viewsByTopic;
    private volatile Map<String, CatalogEntry> sources;
    private volatile long catalogNextOffset;
    private volatile long progressNextOffset;
    private volatile long progressResumeOffset;
    private final AtomicLong skippedRecords = new AtomicLong();
    private final AtomicLong appliedBatches = new AtomicLong();
    private volatile ChangeHub hub;

    /** Pending markers per view partition, applier thread only. */
    private final Map<PendingKey, ArrayDeque<PendingMarker>> pending = new HashMap<>();

    private record PendingKey(String view, int partition) {
    }

    /** A marker waiting for its view offset; {@code firstOffset} is where to re-read it from after a restart. */
    private record PendingMarker(ProgressMarker marker, long firstOffset) {
    }

    /** Served state of the involved partitions, taken under the lock. */
    private record Served(Position position, Freshness freshness) {
    }

    /**
     * Loads the catalog, partition states and read offsets stored by earlier runs.
     *
     * @param appId the application id topic names derive from
     * @param store the open store
     * @param clock the clock freshness is measured with
     * @param maxWait the cap on how long a read waits for its minimum position
     */
    public Materializer(String appId, StateStore store, Clock clock, Duration maxWait) {
        this.appId = appId;
        this.catalogTopic = Topics.catalog(appId);
        this.progressTopic = Topics.progress(appId);
        this.store = store;
        this.clock = clock;
        this.maxWait = maxWait;
        load();
    }

    private void load() {
        Map<String, PartitionMeta[]> metas = new HashMap<>();
        for (KeyValue kv : store.scanMeta(PARTITION_PREFIX)) {
            String rest = new String(kv.key(), PARTITION_PREFIX.length, kv.key().length - PARTITION_PREFIX.length,
                    StandardCharsets.UTF_8);
            int sep = rest.lastIndexOf('\0');
            String view = rest.substring(0, sep);
            int p = Integer.parseInt(rest.substring(sep + 1));
            PartitionMeta[] arr = metas.computeIfAbsent(view, v -> new PartitionMeta[0]);
            if (arr.length <= p) {
                arr = Arrays.copyOf(arr, p + 1);
                metas.put(view, arr);
            }
            arr[p] = PartitionMeta.decode(kv.value());
        }
        Map<String, ViewState> loadedViews = new HashMap<>();
        Map<String, CatalogEntry> loadedSources = new HashMap<>();
        for (KeyValue kv : store.scanMeta(CATALOG_PREFIX)) {
            CatalogEntry e = CatalogEntry.fromJson(kv.value());
            if (e.kind() == CatalogEntry.Kind.VIEW) {
                store.ensureView(e.name());
                loadedViews.put(e.name(), new ViewState(appId, e, metas.getOrDefault(e.name(), new PartitionMeta[0])));
            } else {
                loadedSources.put(e.name(), e);
            }
        }
        this.views = Map.copyOf(loadedViews);
        this.viewsByTopic = byTopic(loadedViews);
        this.sources = Map.copyOf(loadedSources);
        this.catalogNextOffset = readLong(store.getMeta(CATALOG_OFFSET_KEY));
        this.progressNextOffset = readLong(store.getMeta(PROGRESS_OFFSET_KEY));
        this.progressResumeOffset = progressNextOffset;
        if (!loadedViews.isEmpty() || catalogNextOffset > 0) {
            LOG.info("state store {} holds views {} and sources {}; catalog read up to offset {}, progress from {}",
                    store.dir(), new TreeSet<>(loadedViews.keySet()), new TreeSet<>(loadedSources.keySet()),
                    catalogNextOffset, progressNextOffset);
        }
    }

    // ------------------------------------------------------------------ apply

    /**
     * Applies one batch atomically. Records that cannot be decoded are skipped with a warning naming their
     * topic, partition and offset (bad input is data, not a crash).
     *
     * @throws dev.statefront.state.store.StoreException if the store cannot write; nothing of the batch is then
     *     applied
     */
    public synchronized void apply(FeedBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        Pass pass = new Pass();
        try (StoreBatch wb = store.newBatch()) {
            for (FeedRecord r : batch.records()) {
                if (r.topic().equals(catalogTopic)) {
                    pass.catalogNext = Math.max(pass.catalogNext, r.offset() + 1);
                    applyCatalog(pass, r, wb);
                } else if (r.topic().equals(progressTopic)) {
                    pass.progressNext = Math.max(pass.progressNext, r.offset() + 1);
                    enqueueMarker(r);
                } else {
                    applyChange(pass, r, wb);
                }
            }
            for (Map.Entry<String, Map<Integer, Long>> t : batch.positions().entrySet()) {
                String topic = t.getKey();
                for (Map.Entry<Integer, Long> p : t.getValue().entrySet()) {
                    if (topic.equals(catalogTopic)) {
                        pass.catalogNext = Math.max(pass.catalogNext, p.getValue());
                    } else if (topic.equals(progressTopic)) {
                        pass.progressNext = Math.max(pass.progressNext, p.getValue());
                    } else {
                        ViewState v = pass.byTopic.get(topic);
                        if (v != null && p.getKey() < v.partitionCount()) {
                            pass.setMeta(v, p.getKey(), pass.meta(v, p.getKey()).withNextOffset(p.getValue()));
                        }
                    }
                }
            }
            applyReachedMarkers(pass);
            long resume = pass.progressNext;
            for (ArrayDeque<PendingMarker> q : pending.values()) {
                if (!q.isEmpty()) {
                    resume = Math.min(resume, q.peekFirst().firstOffset());
                }
            }
            finish(pass, wb, resume);
        }
    }

    /**
     * Applies what a processor in the same process just committed, without waiting for the change topics to
     * deliver it. A partition is taken only if everything before its transaction has been applied (see
     * {@link CommittedPartition#expectFrom()}); the others are left to the Kafka feed. Records the feed applied
     * first are skipped by offset, and the feed skips (and seeks past) what this applied.
     *
     * @return how many partitions were taken
     * @throws dev.statefront.state.store.StoreException if the store cannot write; nothing is then applied
     */
    public synchronized int applyCommitted(List<CommittedPartition> committed) {
        Pass pass = new Pass();
        int taken = 0;
        try (StoreBatch wb = store.newBatch()) {
            for (CommittedPartition c : committed) {
                ViewState v = pass.views.get(c.view());
                if (v == null || !v.entry.topic().equals(c.topic()) || c.partition() >= v.partitionCount()) {
                    continue; // a view this server does not know (yet): its feed reads it
                }
                if (pass.meta(v, c.partition()).nextOffset() < c.expectFrom()) {
                    v.handedOverAt.set(c.partition(), 0); // something before it is missing: the feed must read it
                    continue;
                }
                taken++;
                v.handedOverAt.set(c.partition(), System.nanoTime());
                for (CommittedPartition.Change ch : c.changes()) {
                    applyChange(pass, new FeedRecord(c.topic(), c.partition(), ch.offset(), ch.key(), ch.value(),
                            ch.keyValues(), ch.event()), wb);
                }
                PartitionMeta meta = pass.meta(v, c.partition());
                if (meta.reached(c.marker())) {
                    pass.setMeta(v, c.partition(), meta.withMarker(c.marker()));
                }
            }
            if (taken > 0) {
                finish(pass, wb, progressResumeOffset);
            }
        }
        return taken;
    }

    /**
     * Whether a hand-over was taken for this change topic partition within the last {@code windowMs}, and none
     * refused or lost since: while that holds, the transactions of the partition reach this server directly and
     * its Kafka feed need not fetch them.
     */
    public boolean handedOverWithin(String topic, int partition, long windowMs) {
        ViewState v = viewsByTopic.get(topic);
        if (v == null || partition >= v.partitionCount()) {
            return false;
        }
        long last = v.handedOverAt.get(partition);
        return last != 0 && System.nanoTime() - last <= windowMs * 1_000_000L;
    }

    /**
     * Hand-overs that will never be applied (dropped before the applier took them, or failed): their partitions
     * go back to the Kafka feed at once.
     */
    public void handoffsLost(List<CommittedPartition> lost) {
        for (CommittedPartition c : lost) {
            handedBack(c.topic(), c.partition());
        }
    }

    /**
     * The local processor stopped writing a view partition: its commits there, if any, come through the Kafka feed
     * from now on, so the feed fetches it again at once.
     */
    public void handedBack(String topic, int partition) {
        ViewState v = viewsByTopic.get(topic);
        if (v != null && partition >= 0 && partition < v.partitionCount()) {
            v.handedOverAt.set(partition, 0);
        }
    }

    /** Writes the pass's partition metas and offsets with its changes, then makes it visible to readers. */
    private void finish(Pass pass, StoreBatch wb, long resume) {
        for (Map.Entry<ViewState, PartitionMeta[]> w : pass.work.entrySet()) {
            ViewState v = w.getKey();
            PartitionMeta[] metas = w.getValue();
            for (int p = 0; p < metas.length; p++) {
                if (!metas[p].equals(v.partitions[p])) {
                    wb.putMeta(partitionKey(v.name(), p), metas[p].encode());
                }
            }
        }
        if (pass.catalogNext != catalogNextOffset) {
            wb.putMeta(CATALOG_OFFSET_KEY, longBytes(pass.catalogNext));
        }
        if (resume != progressResumeOffset) {
            wb.putMeta(PROGRESS_OFFSET_KEY, longBytes(resume));
        }
        if (wb.size() > 0) {
            store.write(wb);
        }
        commit(pass, resume);
        ChangeHub h = hub;
        if (h != null) {
            h.afterBatch(pass.published);
        }
    }

    /** Connects the change subscriptions: from now on every applied batch is handed to them. */
    void attach(ChangeHub changeHub) {
        this.hub = changeHub;
    }

    /** Runs {@code action} between two applied batches (no batch is applied while it runs). */
    <T> T atBatchBoundary(java.util.function.Supplier<T> action) {
        synchronized (this) {
            return action.get();
        }
    }

    /** The state of a view, or null; partition metas are stable only at a batch boundary. */
    ViewState viewState(String name) {
        return views.get(name);
    }

    private void commit(Pass pass, long resume) {
        lock.lock();
        try {
            for (Map.Entry<ViewState, PartitionMeta[]> w : pass.work.entrySet()) {
                PartitionMeta[] metas = w.getValue();
                System.arraycopy(metas, 0, w.getKey().partitions, 0, metas.length);
            }
            if (pass.viewsChanged) {
                views = Map.copyOf(pass.views);
                viewsByTopic = pass.byTopic;
            }
            if (pass.sourcesChanged) {
                sources = Map.copyOf(pass.sources);
            }
            catalogNextOffset = pass.catalogNext;
            progressNextOffset = pass.progressNext;
            progressResumeOffset = resume;
            appliedBatches.incrementAndGet();
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void applyCatalog(Pass pass, FeedRecord r, StoreBatch wb) {
        if (r.key() == null) {
            skip(r, "catalog record without a key");
            return;
        }
        byte[] metaKey = concat(CATALOG_PREFIX, r.key());
        String key = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            // a dropped entry: stop listing it; its rows stay in the store until a later issue garbage-collects them
            int colon = key.indexOf(':');
            String name = key.substring(colon + 1);
            if (key.startsWith("view:") && pass.views.remove(name) != null) {
                pass.viewsChanged = true;
                pass.byTopic = byTopic(pass.views);
                LOG.info("view '{}' removed from catalog at offset {}", name, r.offset());
            } else if (key.startsWith("source:") && pass.sources.remove(name) != null) {
                pass.sourcesChanged = true;
            }
            wb.deleteMeta(metaKey);
            return;
        }
        CatalogEntry entry;
        try {
            entry = CatalogEntry.fromJson(r.value());
        } catch (DecodeException e) {
            skip(r, e.getMessage());
            return;
        }
        if (entry.kind() == CatalogEntry.Kind.SOURCE) {
            if (!entry.equals(pass.sources.get(entry.name()))) {
                pass.sources.put(entry.name(), entry);
                pass.sourcesChanged = true;
                wb.putMeta(metaKey, r.value());
            }
            return;
        }
        ViewState old = pass.views.get(entry.name());
        if (old != null && old.entry.equals(entry)) {
            return;
        }
        store.ensureView(entry.name());
        PartitionMeta[] carried = old == null ? new PartitionMeta[0] : pass.metas(old).clone();
        ViewState v = new ViewState(appId, entry, carried);
        if (old != null) {
            pass.work.remove(old);
            // the fresh state carries everything applied so far; make the pass rewrite it all
            pass.work.put(v, v.partitions.clone());
            Arrays.fill(v.partitions, PartitionMeta.INITIAL);
        }
        pass.views.put(entry.name(), v);
        pass.viewsChanged = true;
        pass.byTopic = byTopic(pass.views);
        wb.putMeta(metaKey, r.value());
        LOG.info("view '{}' {} from catalog offset {}: topic {}, {} partitions, key {}", entry.name(),
                old == null ? "added" : "updated", r.offset(), entry.topic(), entry.partitions(),
                entry.schema().keyColumnNames());
    }

    private void applyChange(Pass pass, FeedRecord r, StoreBatch wb) {
        ViewState v = pass.byTopic.get(r.topic());
        if (v == null) {
            skip(r, "no view in the catalog has this change topic");
            return;
        }
        if (r.partition() >= v.partitionCount()) {
            skip(r, "view '" + v.name() + "' has only " + v.partitionCount() + " partitions");
            return;
        }
        int p = r.partition();
        PartitionMeta before = pass.meta(v, p);
        if (r.offset() < before.nextOffset()) {
            return; // applied already, from the processor in this process (applyCommitted)
        }
        PartitionMeta meta = before.withChangeAt(r.offset()); // even if it is skipped below: it was read
        try {
            if (r.key() == null) {
                throw new DecodeException("change record without a key");
            }
            Object[] keyValues = r.keyValues() != null ? r.keyValues() : v.codec.decodeKey(r.key());
            byte[] key = KeyCodec.encode(v.keyTypes, keyValues);
            Object[] after = null;
            ChangeEvent e = null;
            if (r.value() != null) {
                e = r.event() != null ? r.event() : v.codec.decodeValue(r.value());
                after = e.after();
            }
            // a tombstone is applied as a delete: a reader lagging behind compaction may see only the tombstone.
            // A change handed over by the processor follows everything before it (applyCommitted's condition), so
            // its "before" says whether the row exists; one read from the topic may follow a compacted history.
            boolean existed = r.event() != null ? r.event().before() != null : pass.exists(v, key);
            ChangeHub h = hub;
            if (h != null && h.hasLive(v.name()) && (e != null || existed)) {
                // the tombstone after a delete is no change; an orphan one (delete compacted away) is a delete
                ChangeEvent published = e != null ? e : new ChangeEvent(ChangeEvent.Op.DELETE, null, null,
                        clock.millis(), v.name(), p, Position.EMPTY);
                pass.published.computeIfAbsent(v.name(), k -> new ArrayList<>())
                        .add(new PublishedChange(p, r.offset(), key, keyValues, published));
            }
            if (after == null) {
                if (existed) {
                    wb.delete(v.name(), key);
                    meta = meta.withRowDelta(-1);
                }
                pass.overlay(v).put(ByteBuffer.wrap(key), Boolean.FALSE);
            } else {
                wb.put(v.name(), key, RowCodec.encode(v.columns, after));
                if (!existed) {
                    meta = meta.withRowDelta(1);
                }
                pass.overlay(v).put(ByteBuffer.wrap(key), Boolean.TRUE);
            }
        } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
            skip(r, e.getMessage());
        }
        pass.setMeta(v, p, meta);
    }

    private void enqueueMarker(FeedRecord r) {
        if (r.value() == null) {
            return;
        }
        ProgressMarker m;
        try {
            m = ProgressMarker.fromJson(r.value());
        } catch (DecodeException e) {
            skip(r, e.getMessage());
            return;
        }
        ArrayDeque<PendingMarker> q = pending.computeIfAbsent(new PendingKey(m.view(), m.partition()),
                k -> new ArrayDeque<>());
        PendingMarker tail = q.peekLast();
        if (tail != null && tail.marker().viewOffset() == m.viewOffset() && !tail.marker().changes()
                && !m.changes()) {
            // idle markers repeat the view offset: fold them so the queue stays short
            ProgressMarker t = tail.marker();
            q.pollLast();
            q.addLast(new PendingMarker(new ProgressMarker(m.view(), m.partition(), m.viewOffset(),
                    t.position().merge(m.position()), Math.max(t.asOfMs(), m.asOfMs()), m.tsMs()),
                    tail.firstOffset()));
        } else {
            q.addLast(new PendingMarker(m, r.offset()));
        }
    }

    private void applyReachedMarkers(Pass pass) {
        Iterator<Map.Entry<PendingKey, ArrayDeque<PendingMarker>>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<PendingKey, ArrayDeque<PendingMarker>> e = it.next();
            ArrayDeque<PendingMarker> q = e.getValue();
            ViewState v = pass.views.get(e.getKey().view());
            if (v == null) {
                continue; // the catalog entry has not been read yet
            }
            int p = e.getKey().partition();
            if (p < 0 || p >= v.partitionCount()) {
                LOG.warn("dropping {} progress markers of view '{}' partition {}: the view has {} partitions",
                        q.size(), v.name(), p, v.partitionCount());
                it.remove();
                continue;
            }
            PartitionMeta meta = pass.meta(v, p);
            PartitionMeta start = meta;
            while (!q.isEmpty() && meta.reached(q.peekFirst().marker())) {
                meta = meta.withMarker(q.pollFirst().marker());
            }
            if (meta != start) {
                pass.setMeta(v, p, meta);
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }

    private void skip(FeedRecord r, String reason) {
        long n = skippedRecords.incrementAndGet();
        LOG.warn("skipping record {}-{}@{} ({} skipped so far): {}", r.topic(), r.partition(), r.offset(), n, reason);
    }

    /** Working copies of one apply pass; committed only after the store write succeeds. */
    private final class Pass {
        final Map<String, ViewState> views = new HashMap<>(Materializer.this.views);
        final Map<String, CatalogEntry> sources = new HashMap<>(Materializer.this.sources);
        Map<String, ViewState> byTopic = Materializer.this.viewsByTopic;
        boolean viewsChanged;
        boolean sourcesChanged;
        long catalogNext = catalogNextOffset;
        long progressNext = progressNextOffset;
        final Map<ViewState, PartitionMeta[]> work = new IdentityHashMap<>();
        final Map<ViewState, Map<ByteBuffer, Boolean>> overlays = new IdentityHashMap<>();
        final Map<String, List<PublishedChange>> published = new HashMap<>();

        PartitionMeta[] metas(ViewState v) {
            return work.computeIfAbsent(v, k -> {
                lock.lock();
                try {
                    return k.partitions.clone();
                } finally {
                    lock.unlock();
                }
            });
        }

        PartitionMeta meta(ViewState v, int p) {
            return metas(v)[p];
        }

        void setMeta(ViewState v, int p, PartitionMeta m) {
            metas(v)[p] = m;
        }

        Map<ByteBuffer, Boolean> overlay(ViewState v) {
            return overlays.computeIfAbsent(v, k -> new HashMap<>());
        }

        boolean exists(ViewState v, byte[] key) {
            Boolean known = overlay(v).get(ByteBuffer.wrap(key));
            return known != null ? known : store.get(v.name(), key) != null;
        }
    }

    // ------------------------------------------------------------------ state for the reader loop

    /** The catalog topic's next offset to read. */
    public long catalogNextOffset() {
        return catalogNextOffset;
    }

    /** Where to (re-)read the progress topic from: the oldest marker still pending, else the next offset. */
    public long progressResumeOffset() {
        return progressResumeOffset;
    }

    /** The next change-topic offset to apply for a view partition; 0 if unknown. */
    public long nextOffset(String view, int partition) {
        long next = nextOffsetOf(views.get(view), partition);
        return next < 0 ? 0 : next;
    }

    /** The next offset to apply of a view change topic partition, or -1 if no known view has that topic. */
    public long nextOffsetOfTopic(String topic, int partition) {
        return nextOffsetOf(viewsByTopic.get(topic), partition);
    }

    private long nextOffsetOf(ViewState v, int partition) {
        if (v == null || partition >= v.partitionCount()) {
            return -1;
        }
        lock.lock();
        try {
            return v.partitions[partition].nextOffset();
        } finally {
            lock.unlock();
        }
    }

    /** Catalog entries of the known views, by name. */
    public List<CatalogEntry> viewEntries() {
        return sorted(views.values().stream().map(v -> v.entry).toList());
    }

    /** Catalog entries of the known sources, by name. */
    public List<CatalogEntry> sourceEntries() {
        return sorted(List.copyOf(sources.values()));
    }

    /** The catalog entry of a view, or null. */
    public CatalogEntry viewEntry(String name) {
        ViewState v = views.get(name);
        return v == null ? null : v.entry;
    }

    /** The catalog entry of a source, or null. */
    public CatalogEntry sourceEntry(String name) {
        return sources.get(name);
    }

    /** How many records were skipped because they could not be decoded or placed. */
    public long skippedRecords() {
        return skippedRecords.get();
    }

    /** How many batches were applied since start. */
    public long appliedBatches() {
        return appliedBatches.get();
    }

    private static List<CatalogEntry> sorted(List<CatalogEntry> entries) {
        List<CatalogEntry> out = new ArrayList<>(entries);
        out.sort(Comparator.comparing(CatalogEntry::name));
        return Collections.unmodifiableList(out);
    }

    // ------------------------------------------------------------------ reads

    /** Describes a view, with its exact row count, over all its partitions. */
    public ReadResult<ViewDescription> describe(String view, ReadOptions options) {
        ViewState v = views.get(view);
        if (v == null) {
            return notFound(view);
        }
        int[] parts = allPartitions(v);
        ReadResult<Served> served = await(view, parts, options);
        if (!served.isOk()) {
            return served.castFailure();
        }
        List<PartitionStatus> statuses = new ArrayList<>();
        long rows = 0;
        lock.lock();
        try {
            ViewState cur = views.getOrDefault(view, v);
            for (int p = 0; p < cur.partitionCount(); p++) {
                PartitionMeta m = cur.partitions[p];
                statuses.add(new PartitionStatus(p, m.nextOffset(), m.position(), m.asOfMs(), m.rowCount()));
                rows += m.rowCount();
            }
            v = cur;
        } finally {
            lock.unlock();
        }
        return ReadResult.ok(new ViewDescription(v.entry, rows, statuses), served.value().position(),
                served.value().freshness());
    }

    /** The row of a key (null value when the key has no row), with the position of the key's partition. */
    public ReadResult<Object[]> get(String view, Object[] key, ReadOptions options) {
        ViewState v = views.get(view);
        if (v == null) {
            return notFound(view);
        }
        byte[] encoded;
        int partition;
        try {
            encoded = KeyCodec.encode(v.keyTypes, key);
            partition = Partitions.forKey(v.keyTypes, key, v.partitionCount());
        } catch (IllegalArgumentException | ClassCastException e) {
            return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, "key " + Arrays.toString(key) + " does not fit view '"
                    + view + "' key " + v.entry.schema().keyColumnNames() + " of types " + v.keyTypes + ": "
                    + e.getMessage());
        }
        ReadResult<Served> served = await(view, new int[] {partition}, options);
        if (!served.isOk()) {
            return served.castFailure();
        }
        byte[] value = store.get(view, encoded);
        return ReadResult.ok(value == null ? null : RowCodec.decode(v.columns, value), served.value().position(),
                served.value().freshness());
    }

    /** The rows of several keys, in the order of the keys, null where a key has no row. */
    public ReadResult<List<Object[]>> batchGet(String view, List<Object[]> keys, ReadOptions options) {
        ViewState v = views.get(view);
        if (v == null) {
            return notFound(view);
        }
        List<byte[]> encoded = new ArrayList<>(keys.size());
        Set<Integer> partitions = new TreeSet<>();
        for (int i = 0; i < keys.size(); i++) {
            Object[] key = keys.get(i);
            try {
                encoded.add(KeyCodec.encode(v.keyTypes, key));
                partitions.add(Partitions.forKey(v.keyTypes, key, v.partitionCount()));
            } catch (IllegalArgumentException | ClassCastException e) {
                return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, "key #" + i + " " + Arrays.toString(key)
                        + " does not fit view '" + view + "' key " + v.entry.schema().keyColumnNames() + " of types "
                        + v.keyTypes + ": " + e.getMessage());
            }
        }
        ReadResult<Served> served = await(view, partitions.stream().mapToInt(Integer::intValue).toArray(), options);
        if (!served.isOk()) {
            return served.castFailure();
        }
        List<Object[]> rows = new ArrayList<>(keys.size());
        if (!encoded.isEmpty()) {
            for (byte[] value : store.multiGet(view, encoded)) {
                rows.add(value == null ? null : RowCodec.decode(v.columns, value));
            }
        }
        return ReadResult.ok(rows, served.value().position(), served.value().freshness());
    }

    /**
     * Rows of a view in key order over an encoded key range.
     *
     * @param fromInclusive first key (encoded), or null
     * @param toExclusive end key (encoded), or null
     * @param limit the most rows returned, at least 1
     * @param partitions the partitions to include, or null for all of the view's partitions
     */
    public ReadResult<List<ViewRow>> scan(String view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                          Set<Integer> partitions, ReadOptions options) {
        ViewState v = views.get(view);
        if (v == null) {
            return notFound(view);
        }
        if (limit < 1) {
            return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, "scan limit must be at least 1, got " + limit);
        }
        int[] parts;
        Predicate<byte[]> filter = null;
        if (partitions == null || partitions.containsAll(range(v.partitionCount()))) {
            parts = allPartitions(v);
        } else {
            parts = partitions.stream().filter(p -> p >= 0 && p < v.partitionCount()).mapToInt(Integer::intValue)
                    .sorted().toArray();
            Set<Integer> wanted = Set.copyOf(partitions);
            filter = k -> wanted.contains(Partitions.forKey(v.keyTypes, KeyCodec.decode(v.keyTypes, k),
                    v.partitionCount()));
        }
        ReadResult<Served> served = await(view, parts, options);
        if (!served.isOk()) {
            return served.castFailure();
        }
        List<KeyValue> kvs = store.scan(view, fromInclusive, toExclusive, limit, filter);
        List<ViewRow> rows = new ArrayList<>(kvs.size());
        for (KeyValue kv : kvs) {
            rows.add(new ViewRow(kv.key(), RowCodec.decode(v.columns, kv.value())));
        }
        return ReadResult.ok(rows, served.value().position(), served.value().freshness());
    }

    /**
     * Waits (bounded) until the involved partitions cover the requested position. Only the topic-partitions a
     * partition's served position mentions are compared: a co-partitioned view partition reflects only its own
     * source partition. A partition that has no position yet is compared on every entry of the view's source
     * topics.
     */
    private ReadResult<Served> await(String view, int[] parts, ReadOptions options) {
        Position required = options.minPosition();
        Duration wait = options.waitTimeout().compareTo(maxWait) > 0 ? maxWait : options.waitTimeout();
        long deadline = System.nanoTime() + wait.toNanos();
        if (required.isEmpty() && parts.length == 1) {
            // the hot point lookup takes no lock: one partition's meta is one immutable object, published by the
            // applier's array store; a read racing an apply sees the meta before or after it, both consistent
            return servedNow(view, parts);
        }
        lock.lock();
        try {
            while (true) {
                if (required.isEmpty()) {
                    return servedNow(view, parts); // several partitions: under the lock, from one batch boundary
                }
                ViewState v = views.get(view);
                if (v == null) {
                    return notFound(view);
                }
                Served served = served(v, parts);
                Set<String> sourceTopics = sourceTopics(v);
                Map<String, Long> missing = new TreeMap<>();
                Set<Integer> behind = new TreeSet<>();
                for (int p : parts) {
                    Map<String, Long> gaps = gaps(v.partitions[p].position(), required, sourceTopics);
                    if (!gaps.isEmpty()) {
                        behind.add(p);
                        gaps.forEach((k, n) -> missing.merge(k, n, Math::max));
                    }
                }
                if (missing.isEmpty()) {
                    return ReadResult.ok(served, served.position(), served.freshness());
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return ReadResult.notUpToPosition("view '" + view + "' partitions " + behind
                            + " have not reached min_position after waiting " + wait.toMillis() + " ms (wait capped at "
                            + maxWait.toMillis() + " ms): behind by " + missing + " offsets; served position "
                            + served.position() + ". Retry with a larger wait_ms, later, or on another replica",
                            missing, served.position(), served.freshness());
                }
                progressed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "interrupted while waiting for view '" + view
                    + "' to reach " + required);
        } finally {
            lock.unlock();
        }
    }

    private static Map<String, Long> gaps(Position served, Position required, Set<String> sourceTopics) {
        Map<String, Long> servedMap = served.asMap();
        Map<String, Long> gaps = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : required.asMap().entrySet()) {
            String tp = e.getKey();
            boolean relevant = servedMap.isEmpty()
                    ? sourceTopics.isEmpty() || sourceTopics.contains(tp.substring(0, tp.lastIndexOf('/')))
                    : servedMap.containsKey(tp);
            long mine = servedMap.getOrDefault(tp, 0L);
            if (relevant && mine < e.getValue()) {
                gaps.put(tp, e.getValue() - mine);
            }
        }
        return gaps;
    }

    private Set<String> sourceTopics(ViewState v) {
        Set<String> topics = new HashSet<>();
        Map<String, CatalogEntry> known = sources;
        for (String s : v.entry.sources()) {
            CatalogEntry e = known.get(s);
            if (e != null) {
                topics.add(e.topic());
            }
        }
        return topics;
    }

    private ReadResult<Served> servedNow(String view, int[] parts) {
        ViewState v = views.get(view);
        if (v == null) {
            return notFound(view);
        }
        Served served = served(v, parts);
        return ReadResult.ok(served, served.position(), served.freshness());
    }

        private Served served(ViewState v, int[] parts) {
        Position position = Position.EMPTY;
        long asOf = Long.MAX_VALUE;
        for (int p : parts) {
            PartitionMeta m = v.partitions[p];
            position = position.merge(m.position());
            asOf = Math.min(asOf, m.asOfMs());
        }
        Freshness freshness = asOf < 0 || asOf == Long.MAX_VALUE ? Freshness.UNKNOWN
                : new Freshness(asOf, Math.max(0, clock.millis() - asOf));
        return new Served(position, freshness);
    }

    private <T> ReadResult<T> notFound(String view) {
        return ReadResult.failure(ReadStatus.NOT_FOUND, "view '" + view + "' does not exist; views: "
                + new TreeSet<>(views.keySet()));
    }

    private static int[] allPartitions(ViewState v) {
        int[] parts = new int[v.partitionCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = i;
        }
        return parts;
    }

    private static Set<Integer> range(int n) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(i);
        }
        return s;
    }

    /** Awaits any applied batch, for tests and the restore loop; false on timeout. */
    public boolean awaitAppliedBatches(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (appliedBatches.get() < count) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                progressed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting read, e.g. when the server stops. */
    public void wakeReaders() {
        lock.lock();
        try {
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ encoding

    private static Map<String, ViewState> byTopic(Map<String, ViewState> views) {
        Map<String, ViewState> m = new HashMap<>();
        views.values().forEach(v -> m.put(v.entry.topic(), v));
        return Map.copyOf(m);
    }

    private static byte[] partitionKey(String view, int partition) {
        return concat(PARTITION_PREFIX, (view + '\0' + partition).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long readLong(byte[] b) {
        return b == null ? 0 : ByteBuffer.wrap(b).getLong();
    }
}
