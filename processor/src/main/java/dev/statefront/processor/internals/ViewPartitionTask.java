package dev.statefront.processor.internals;

import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.CommittedPartition;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.RowCodec;
import dev.statefront.processor.plan.GroupState;
import dev.statefront.processor.plan.ViewPlan;
import dev.statefront.processor.state.TaskStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One partition of one view: applies source rows to the groups of that partition, and at the end of each
 * transaction emits the changed view rows, the changed group states (changelog) and stages the store writes.
 * Store writes are applied only after the transaction commits ({@link #committed()}), so the store never
 * holds uncommitted state while running; {@link #aborted()} forgets the transaction's work.
 */
final class ViewPartitionTask implements AutoCloseable {
    private final ViewRuntime view;
    private final ViewPlan plan;
    private final int partition;
    private final TaskStore store;
    private final Map<GroupKey, Entry> dirty = new HashMap<>();
    /**
     * Committed groups kept live across transactions (least recently used out first), so hot keys skip the
     * store read and the state decode; a transaction's entries join it on commit and leave it on abort.
     */
    private final Map<GroupKey, Entry> cache = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<GroupKey, Entry> eldest) {
            return size() > CACHED_GROUPS;
        }
    };
    private static final int CACHED_GROUPS = 20_000;
    private static final byte[] MORE = {1};
    /** Next offset of the change topic partition: what a reader must have consumed to see our changes. */
    private final AtomicLong nextChangeOffset;
    private final AtomicLong nextChangelogOffset;
    private long committedChangeOffset;
    private long committedChangelogOffset;
    private Position position;
    private Position committedPosition;
    private long asOfMs;
    private long committedAsOfMs;
    /** The change records of the open transaction, kept for a commit listener; null when nobody listens. */
    private final List<Sent> sent;
    /** Whether the open transaction sent change records (its marker then cannot say where they end). */
    private boolean changesSent;
    private ProgressMarker marker;

    /** A change record sent in the open transaction; its offset arrives with the send's acknowledgement. */
    private static final class Sent {
        final byte[] key;
        final byte[] value;
        final Object[] keyValues;
        final ChangeEvent event;
        volatile long offset = -1;

        Sent(byte[] key, byte[] value, Object[] keyValues, ChangeEvent event) {
            this.key = key;
            this.value = value;
            this.keyValues = keyValues;
            this.event = event;
        }
    }

    ViewPartitionTask(ViewRuntime view, int partition, TaskStore store, Position initialPosition,
                      long changeEndOffset, long changelogEndOffset, boolean keepSent) {
        this.view = view;
        this.plan = view.plan();
        this.partition = partition;
        this.store = store;
        this.position = this.committedPosition = initialPosition;
        this.nextChangeOffset = new AtomicLong(changeEndOffset);
        this.nextChangelogOffset = new AtomicLong(changelogEndOffset);
        this.committedChangeOffset = changeEndOffset;
        this.committedChangelogOffset = changelogEndOffset;
        this.sent = keepSent ? new ArrayList<>() : null;
    }

    ViewRuntime view() {
        return view;
    }

    int partition() {
        return partition;
    }

    /** Applies one source row with its group key (sign +1 adds it, -1 retracts it). */
    void apply(Object[] sourceRow, Object[] key, int sign) {
        byte[] keyBytes = KeyCodec.encode(plan.groupKeyTypes(), key);
        GroupKey k = new GroupKey(keyBytes);
        Entry e = dirty.get(k);
        if (e == null) {
            e = cache.remove(k);
            if (e == null) {
                e = load(key, keyBytes);
            }
            dirty.put(k, e);
        }
        if (plan.isAggregate()) {
            if (sign > 0) {
                e.state.add(plan.aggregateInputs(sourceRow));
            } else {
                e.state.retract(plan.aggregateInputs(sourceRow));
            }
        } else {
            e.row = sign > 0 ? plan.project(sourceRow) : null;
        }
    }

    /** Raises the source position this partition reflects. */
    void advance(Position reached, long asOf) {
        position = position.merge(reached);
        asOfMs = Math.max(asOfMs, asOf);
    }

    /** Only the as-of time: every source partition this task depends on has been read up to {@code asOf}. */
    void caughtUp(long asOf) {
        asOfMs = Math.max(asOfMs, asOf);
    }

    Position position() {
        return position;
    }

    long asOfMs() {
        return asOfMs;
    }

    /**
     * Sends the transaction's changes: view changes (skipping rows that did not change), a tombstone after
     * each delete, and the changelog of every touched group; stages the store writes.
     */
    void flush(Producer<byte[], byte[]> producer, long nowMs, ErrorSink errors) {
        if (dirty.isEmpty()) {
            return;
        }
        ChangeSender changes = new ChangeSender(producer, errors);
        for (Entry e : dirty.values()) {
            Object[] after;
            byte[] stateBytes;
            if (plan.isAggregate()) {
                boolean empty = e.state.rowCount() <= 0;
                after = empty ? null : plan.finish(e.key, e.state.results());
                stateBytes = empty ? null : e.state.toBytes();
            } else {
                after = e.row;
                stateBytes = after == null ? null : RowCodec.encode(plan.schema().columns(), after);
            }
            e.after = after;
            if (!Arrays.equals(e.before, after)) {
                ChangeEvent change = new ChangeEvent(ChangeEvent.opFor(e.before, after), e.before, after, nowMs,
                        view.name(), partition, position);
                byte[] recordKey = view.codec().encodeKey(e.key);
                changes.send(recordKey, view.codec().encodeValue(change), e.key, change);
                if (after == null) {
                    changes.send(recordKey, null, e.key, null);
                }
            }
            producer.send(new ProducerRecord<>(view.changelogTopic(), partition, e.keyBytes, stateBytes),
                    errors.tracking(nextChangelogOffset));
            if (stateBytes == null) {
                store.delete(e.keyBytes);
            } else {
                store.put(e.keyBytes, stateBytes);
            }
        }
        changes.finish();
    }

    /**
     * Sends a transaction's change records of this partition one behind, so every record but the last carries
     * {@link ChangeEventCodec#MORE_HEADER}: readers apply a transaction's changes of a partition all at once.
     */
    private final class ChangeSender {
        private final Producer<byte[], byte[]> producer;
        private final ErrorSink errors;
        private ProducerRecord<byte[], byte[]> held;
        private Sent heldSent;

        ChangeSender(Producer<byte[], byte[]> producer, ErrorSink errors) {
            this.producer = producer;
            this.errors = errors;
        }

        void send(byte[] key, byte[] value, Object[] keyValues, ChangeEvent event) {
            changesSent = true;
            if (held != null) {
                held.headers().add(ChangeEventCodec.MORE_HEADER, MORE);
                sendHeld();
            }
            held = new ProducerRecord<>(view.changeTopic(), partition, key, value);
            if (sent != null) {
                heldSent = new Sent(key, value, keyValues, event);
                sent.add(heldSent);
            }
        }

        void finish() {
            if (held != null) {
                sendHeld();
                held = null;
            }
        }

        private void sendHeld() {
            Sent s = heldSent;
            producer.send(held, s == null ? errors.tracking(nextChangeOffset)
                    : errors.tracking(nextChangeOffset, offset -> s.offset = offset));
        }
    }

    /** The next offset a reader of the change topic partition must reach to see everything sent so far. */
    long nextChangeOffset() {
        return nextChangeOffset.get();
    }

    /**
     * The progress marker of the open transaction, to send in it after {@link #flush}. It does not wait for the
     * changes' acknowledgements: if the transaction sent changes here, it says where they start (the end of the
     * committed ones) rather than where they end.
     */
    ProgressMarker progressMarker(long nowMs) {
        marker = changesSent
                ? new ProgressMarker(view.name(), partition, committedChangeOffset, position, asOfMs, nowMs, true)
                : new ProgressMarker(view.name(), partition, nextChangeOffset(), position, asOfMs, nowMs);
        return marker;
    }

    /**
     * What the transaction that just committed wrote to this partition, for a reader in the same process; call
     * before {@link #committed()}. Null unless the task keeps its sent records and made a marker. The commit has
     * brought every acknowledgement, so its marker says where the changes end.
     */
    CommittedPartition committedChanges() {
        if (sent == null || marker == null) {
            return null;
        }
        List<CommittedPartition.Change> changes = new ArrayList<>(sent.size());
        for (Sent s : sent) {
            changes.add(new CommittedPartition.Change(s.offset, s.key, s.value, s.keyValues, s.event));
        }
        ProgressMarker exact = new ProgressMarker(view.name(), partition, nextChangeOffset(), marker.position(),
                marker.asOfMs(), marker.tsMs());
        return new CommittedPartition(view.name(), view.changeTopic(), partition, committedChangeOffset, changes,
                exact);
    }

    private void forgetSent() {
        if (sent != null) {
            sent.clear();
        }
        changesSent = false;
        marker = null;
    }

    /** The transaction committed: apply the staged store writes. */
    void committed() {
        store.commit();
        for (Map.Entry<GroupKey, Entry> d : dirty.entrySet()) {
            Entry e = d.getValue();
            boolean gone = plan.isAggregate() ? e.state.rowCount() <= 0 : e.row == null;
            if (!gone) {
                e.before = e.after; // what the view holds now is the next transaction's "before"
                cache.put(d.getKey(), e);
            }
        }
        dirty.clear();
        forgetSent();
        committedPosition = position;
        committedAsOfMs = asOfMs;
        committedChangeOffset = nextChangeOffset.get();
        committedChangelogOffset = nextChangelogOffset.get();
    }

    /** The transaction aborted: forget its work. */
    void aborted() {
        store.discard();
        dirty.clear(); // entries mutated by the aborted transaction were taken out of the cache, so it stays clean
        forgetSent();
        position = committedPosition;
        asOfMs = committedAsOfMs;
        nextChangeOffset.set(committedChangeOffset);
        nextChangelogOffset.set(committedChangelogOffset);
    }

    /** Closes the store; on a clean close it is checkpointed so the next start restores nothing. */
    void close(boolean clean) {
        if (clean && dirty.isEmpty()) {
            store.checkpoint(committedChangelogOffset);
        }
        store.close();
    }

    @Override
    public void close() {
        close(false);
    }

    private Entry load(Object[] key, byte[] keyBytes) {
        byte[] stored = store.get(keyBytes);
        Entry e = new Entry(key, keyBytes);
        if (plan.isAggregate()) {
            e.state = stored == null ? plan.newGroupState() : plan.groupStateFromBytes(stored);
            e.before = stored == null || e.state.rowCount() <= 0 ? null : plan.finish(key, e.state.results());
        } else {
            e.row = stored == null ? null : RowCodec.decode(plan.schema().columns(), stored);
            e.before = e.row;
        }
        return e;
    }

    /** An encoded group key as a map key: its hash is computed once (a group is looked up for every record). */
    private static final class GroupKey {
        final byte[] bytes;
        final int hash;

        GroupKey(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GroupKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }

    private static final class Entry {
        final Object[] key;
        final byte[] keyBytes;
        Object[] before;
        Object[] after;
        GroupState state;
        Object[] row;

        Entry(Object[] key, byte[] keyBytes) {
            this.key = key;
            this.keyBytes = keyBytes;
        }
    }
}
