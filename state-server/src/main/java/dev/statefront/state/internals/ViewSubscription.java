package dev.statefront.state.internals;

import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.DecodeException;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.RowCodec;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.SubscriptionEnd;
import dev.statefront.state.server.SubscriptionEvent;
import dev.statefront.state.store.KeyValue;
import dev.statefront.state.store.StoreException;
import dev.statefront.state.store.StoreSnapshot;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One subscriber of one view. Phases, each handing over to the next without a gap or an overlap:
 * <ol>
 *   <li>SNAPSHOT: rows of a RocksDB snapshot taken at a batch boundary, where the view partitions stood at next
 *       offsets P; meanwhile the apply thread buffers changes from P on. If that buffer overflows the subscriber
 *       drops it and catches up from Kafka after the snapshot instead.</li>
 *   <li>CATCH_UP: changes re-read from the change topic ({@code read_committed}, seeking each partition to the
 *       cursor) until the cursor reaches what the apply thread has applied; then, at a batch boundary, LIVE with
 *       the apply thread skipping what was already read.</li>
 *   <li>LIVE: changes handed over by the apply thread through a bounded buffer; overflow ends the subscription.</li>
 * </ol>
 * The cursor (next offset per partition) is the resume token; it is only moved by the polling thread.
 */
final class ViewSubscription implements ChangeSubscription {
    private enum Phase { SNAPSHOT, CATCH_UP, LIVE, ENDED }

    private static final int SNAPSHOT_PAGE = 512;
    private static final long CATCH_UP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ChangeHub hub;
    private final long id;
    private final String view;
    private final String topic;
    private final int partitions;
    private final List<ColumnType> keyTypes;
    private final List<Column> columns;
    private final ChangeEventCodec codec;
    private final byte[] fromKey;
    private final byte[] toKey;
    private final int capacity;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    // guarded by lock: shared with the apply thread
    private final ArrayDeque<PublishedChange> queue = new ArrayDeque<>();
    private long[] published;
    private boolean buffering;
    private boolean spilled;
    private SubscriptionEnd end;
    private volatile Runnable onAvailable;

    // the polling thread's
    private volatile Phase phase;
    private volatile boolean inPoll;
    private long[] cursor;
    private boolean endDelivered;
    private StoreSnapshot snapshot;
    private Position snapshotPosition;
    private List<KeyValue> page = List.of();
    private int pageIndex;
    private byte[] nextSnapshotKey;
    private boolean snapshotScanned;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private final ArrayDeque<PublishedChange> pending = new ArrayDeque<>();
    private byte[][] lastDelete;

    ViewSubscription(ChangeHub hub, long id, ViewState v, byte[] fromKey, byte[] toKey, int capacity) {
        this.hub = hub;
        this.id = id;
        this.view = v.name();
        this.topic = v.entry.topic();
        this.partitions = v.partitionCount();
        this.keyTypes = v.keyTypes;
        this.columns = v.columns;
        this.codec = v.codec;
        this.fromKey = fromKey;
        this.toKey = toKey;
        this.capacity = capacity;
    }

    // ------------------------------------------------------------------ set-up, under the materializer's monitor

    void startSnapshot(StoreSnapshot snap, long[] at, Position position) {
        snapshot = snap;
        snapshotPosition = position;
        nextSnapshotKey = fromKey;
        cursor = at.clone();
        published = at.clone();
        buffering = true;
        phase = Phase.SNAPSHOT;
    }

    void startLive(long[] at) {
        cursor = at.clone();
        published = at.clone();
        phase = Phase.LIVE;
    }

    void startCatchUp(long[] at) {
        cursor = at.clone();
        phase = Phase.CATCH_UP;
    }

    /** Called by the hub under the materializer's monitor: live from the cursor if it reached {@code applied}. */
    boolean goLiveIfCaughtUp(long[] applied) {
        for (int p = 0; p < partitions; p++) {
            if (cursor[p] < applied[p]) {
                return false;
            }
        }
        lock.lock();
        try {
            if (end != null) {
                return false;
            }
            published = cursor.clone();
            queue.clear();
            buffering = false;
            spilled = false;
        } finally {
            lock.unlock();
        }
        phase = Phase.LIVE;
        return true;
    }

    int partitions() {
        return partitions;
    }

    long id() {
        return id;
    }

    // ------------------------------------------------------------------ the apply thread

    /**
     * Takes the changes of one applied batch (in offset order per partition) and the partitions' next offsets
     * after it. Never blocks beyond the subscriber's lock.
     *
     * @return false if the subscriber no longer takes live changes (ended, or spilled while buffering)
     */
    boolean offer(List<PublishedChange> changes, long[] applied) {
        boolean signal = false;
        boolean keep = true;
        lock.lock();
        try {
            if (end != null || spilled) {
                return false;
            }
            for (PublishedChange c : changes) {
                int p = c.partition();
                if (p >= partitions || c.offset() < published[p]) {
                    continue;
                }
                published[p] = c.offset() + 1;
                if (!inRange(c.keyBytes())) {
                    continue;
                }
                if (queue.size() >= capacity) {
                    signal = true;
                    keep = false;
                    if (buffering) {
                        spilled = true;
                        queue.clear();
                    } else {
                        end = new SubscriptionEnd(SubscriptionEnd.Reason.OVERFLOW, "subscriber of view '" + view
                                + "' read too slowly: " + capacity + " changes buffered, the limit; reconnect with "
                                + "the last event's token to resume where it stopped");
                        hub.countOverflow();
                    }
                    break;
                }
                queue.addLast(c);
                signal = true;
            }
            if (keep) {
                for (int p = 0; p < partitions && p < applied.length; p++) {
                    published[p] = Math.max(published[p], applied[p]);
                }
            }
            if (signal) {
                available.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (signal) {
            notifyAvailable();
        }
        return keep;
    }

    /** Ends the subscription with a reason (the first reason wins). */
    void endWith(SubscriptionEnd.Reason reason, String message) {
        lock.lock();
        try {
            if (end != null) {
                return;
            }
            end = new SubscriptionEnd(reason, message);
            available.signalAll();
        } finally {
            lock.unlock();
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        notifyAvailable();
    }

    private void notifyAvailable() {
        Runnable r = onAvailable;
        if (r != null) {
            r.run();
        }
    }

    private boolean inRange(byte[] key) {
        return (fromKey == null || KeyCodec.compare(key, fromKey) >= 0)
                && (toKey == null || KeyCodec.compare(key, toKey) < 0);
    }

    // ------------------------------------------------------------------ the polling thread

    @Override
    public String view() {
        return view;
    }

    @Override
    public SubscriptionEvent poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        inPoll = true;
        try {
            while (true) {
                SubscriptionEnd e = currentEnd();
                Phase ph = phase;
                if (ph == Phase.ENDED) {
                    return null;
                }
                // an overflowing live subscriber first gets what was buffered
                if (e != null && !(ph == Phase.LIVE && e.reason() == SubscriptionEnd.Reason.OVERFLOW)) {
                    return finish(e);
                }
                try {
                    switch (ph) {
                        case SNAPSHOT:
                            return nextSnapshotEvent();
                        case CATCH_UP: {
                            SubscriptionEvent ev = nextCatchUpEvent(deadline);
                            if (ev != null) {
                                return ev;
                            }
                            if (phase == Phase.CATCH_UP && currentEnd() == null) {
                                return null;
                            }
                            break;
                        }
                        default:
                            return nextLiveEvent(deadline);
                    }
                } catch (StoreException | WakeupException | IllegalStateException ex) {
                    if (currentEnd() == null) {
                        endWith(SubscriptionEnd.Reason.FAILED, "subscription of view '" + view + "' failed: " + ex
                                + "; resume with the last token");
                    }
                } catch (KafkaException ex) {
                    endWith(SubscriptionEnd.Reason.FAILED, "cannot re-read change topic " + topic + " of view '"
                            + view + "' from " + Arrays.toString(cursor) + ": " + ex + "; resume with the last token");
                }
            }
        } finally {
            inPoll = false;
            if (currentEnd() != null && phase != Phase.LIVE) {
                release();
            }
        }
    }

    private SubscriptionEnd currentEnd() {
        lock.lock();
        try {
            return end;
        } finally {
            lock.unlock();
        }
    }

    private SubscriptionEvent finish(SubscriptionEnd e) {
        phase = Phase.ENDED;
        release();
        if (endDelivered) {
            return null;
        }
        endDelivered = true;
        return new SubscriptionEvent(SubscriptionEvent.Type.END, null, null, null, null, 0, -1, -1, Position.EMPTY,
                null, e);
    }

    private SubscriptionEvent nextSnapshotEvent() {
        if (pageIndex >= page.size()) {
            if (!snapshotScanned) {
                page = snapshot.scan(view, nextSnapshotKey, toKey, SNAPSHOT_PAGE);
                pageIndex = 0;
                if (page.size() < SNAPSHOT_PAGE) {
                    snapshotScanned = true;
                } else {
                    nextSnapshotKey = KeyCodec.successor(page.get(page.size() - 1).key());
                }
            }
            if (pageIndex >= page.size()) {
                return completeSnapshot();
            }
        }
        KeyValue kv = page.get(pageIndex++);
        Object[] key = KeyCodec.decode(keyTypes, kv.key());
        Object[] row = RowCodec.decode(columns, kv.value());
        return new SubscriptionEvent(SubscriptionEvent.Type.SNAPSHOT_ROW, ChangeEvent.Op.READ, key, null, row, 0,
                Partitions.forKey(keyTypes, key, partitions), -1, Position.EMPTY, null, null);
    }

    private SubscriptionEvent completeSnapshot() {
        StoreSnapshot s = snapshot;
        snapshot = null;
        page = List.of();
        if (s != null) {
            s.close();
        }
        lock.lock();
        try {
            if (spilled) {
                spilled = false;
                phase = Phase.CATCH_UP;
            } else {
                buffering = false;
                phase = Phase.LIVE;
            }
        } finally {
            lock.unlock();
        }
        return new SubscriptionEvent(SubscriptionEvent.Type.SNAPSHOT_COMPLETE, null, null, null, null, 0, -1, -1,
                snapshotPosition, ChangeToken.encode(view, cursor), null);
    }

    private SubscriptionEvent nextLiveEvent(long deadline) throws InterruptedException {
        PublishedChange c = null;
        SubscriptionEnd e = null;
        lock.lock();
        try {
            while (queue.isEmpty() && end == null) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return null;
                }
                available.awaitNanos(remaining);
            }
            if (!queue.isEmpty()) {
                c = queue.pollFirst();
            } else {
                e = end;
            }
        } finally {
            lock.unlock();
        }
        return c != null ? changeEvent(c) : finish(e);
    }

    private SubscriptionEvent changeEvent(PublishedChange c) {
        cursor[c.partition()] = c.offset() + 1;
        ChangeEvent ev = c.event();
        return new SubscriptionEvent(SubscriptionEvent.Type.CHANGE, ev.op(), c.key(), ev.before(), ev.after(),
                ev.tsMs(), c.partition(), c.offset(), ev.position(), ChangeToken.encode(view, cursor), null);
    }

    private SubscriptionEvent nextCatchUpEvent(long deadline) {
        while (true) {
            PublishedChange c = pending.pollFirst();
            if (c != null) {
                return changeEvent(c);
            }
            if (consumer != null) {
                // everything below the read position was delivered or filtered out
                for (int p = 0; p < partitions; p++) {
                    cursor[p] = Math.max(cursor[p], consumer.position(new TopicPartition(topic, p)));
                }
            }
            if (hub.tryGoLive(this)) {
                closeConsumer();
                return null;
            }
            if (currentEnd() != null) {
                return null;
            }
            if (consumer == null) {
                consumer = hub.newConsumer(id);
                if (consumer == null) {
                    endWith(SubscriptionEnd.Reason.FAILED, "view '" + view + "' must be re-read from its change "
                            + "topic to resume, but this state server runs without Kafka");
                    return null;
                }
                List<TopicPartition> tps = new ArrayList<>(partitions);
                for (int p = 0; p < partitions; p++) {
                    tps.add(new TopicPartition(topic, p));
                }
                consumer.assign(tps);
                for (int p = 0; p < partitions; p++) {
                    consumer.seek(tps.get(p), cursor[p]);
                }
                lastDelete = new byte[partitions][];
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return null;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofNanos(Math.min(remaining,
                    CATCH_UP_POLL_NANOS)))) {
                PublishedChange pc = decode(r);
                if (pc != null) {
                    pending.addLast(pc);
                }
            }
        }
    }

    /** A record re-read from the change topic as the apply thread would have published it, or null to skip. */
    private PublishedChange decode(ConsumerRecord<byte[], byte[]> r) {
        int p = r.partition();
        if (p >= partitions || r.key() == null) {
            return null;
        }
        try {
            Object[] key = codec.decodeKey(r.key());
            byte[] keyBytes = KeyCodec.encode(keyTypes, key);
            byte[] deleted = lastDelete[p];
            lastDelete[p] = null;
            ChangeEvent ev;
            if (r.value() == null) {
                // the tombstone after a delete says nothing new; an orphan one (its delete compacted away) deletes
                if (deleted != null && Arrays.equals(deleted, keyBytes)) {
                    return null;
                }
                ev = new ChangeEvent(ChangeEvent.Op.DELETE, null, null, r.timestamp(), view, p, Position.EMPTY);
            } else {
                ev = codec.decodeValue(r.value());
                if (ev.op() == ChangeEvent.Op.DELETE) {
                    lastDelete[p] = keyBytes;
                }
            }
            return inRange(keyBytes) ? new PublishedChange(p, r.offset(), keyBytes, key, ev) : null;
        } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
            return null; // skipped by the apply thread too
        }
    }

    @Override
    public String resumeToken() {
        Phase ph = phase;
        if (ph == Phase.SNAPSHOT || cursor == null) {
            return null;
        }
        if (ph == Phase.LIVE) {
            lock.lock();
            try {
                if (queue.isEmpty() && end == null) {
                    for (int p = 0; p < partitions; p++) {
                        cursor[p] = Math.max(cursor[p], published[p]);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        return ChangeToken.encode(view, cursor);
    }

    @Override
    public void onAvailable(Runnable callback) {
        this.onAvailable = callback;
    }

    @Override
    public SubscriptionEnd end() {
        return currentEnd();
    }

    @Override
    public void close() {
        endWith(SubscriptionEnd.Reason.CLOSED, "closed by the subscriber");
        hub.unregister(this);
        if (!inPoll) {
            release();
        }
    }

    /** Frees the snapshot and the consumer; idempotent. Only when no poll runs, or from the polling thread. */
    private synchronized void release() {
        hub.unregister(this);
        StoreSnapshot s = snapshot;
        snapshot = null;
        if (s != null) {
            s.close();
        }
        closeConsumer();
        lock.lock();
        try {
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    private synchronized void closeConsumer() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        consumer = null;
        pending.clear();
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                // closing a consumer that only read is harmless to abandon
            }
        }
    }
}
