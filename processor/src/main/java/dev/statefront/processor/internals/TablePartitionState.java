package dev.statefront.processor.internals;

import dev.statefront.core.KeyCodec;
import dev.statefront.core.RowCodec;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.state.TaskStore;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The latest row of each key of one partition of a table source, so an upsert or delete can retract the row it
 * replaces from every view. Like {@link ViewPartitionTask}: the transaction's writes are kept in memory, sent to
 * the table's compacted changelog topic in the transaction, and written to the store only once it commits.
 */
final class TablePartitionState implements AutoCloseable {
    /** Marks a key deleted in the current transaction. */
    private static final Object[] DELETED = new Object[0];

    private final SourceDefinition table;
    private final String changelogTopic;
    private final int partition;
    private final TaskStore store;
    private final Map<ByteBuffer, Object[]> dirty = new HashMap<>();
    private final AtomicLong nextChangelogOffset;
    private long committedChangelogOffset;

    TablePartitionState(SourceDefinition table, String changelogTopic, int partition, TaskStore store,
                        long changelogEndOffset) {
        this.table = table;
        this.changelogTopic = changelogTopic;
        this.partition = partition;
        this.store = store;
        this.nextChangelogOffset = new AtomicLong(changelogEndOffset);
        this.committedChangelogOffset = changelogEndOffset;
    }

    /** The changelog topic of a table source's key state. */
    static String changelogTopic(String appId, String table) {
        return appId + "-table-" + table;
    }

    /**
     * Replaces the row of a key and returns the row it replaces (null if the key had none).
     *
     * @param key the primary key values
     * @param row the new row, or null to delete the key
     */
    Object[] upsert(Object[] key, Object[] row) {
        byte[] keyBytes = KeyCodec.encode(table.schema().keyTypes(), key);
        ByteBuffer k = ByteBuffer.wrap(keyBytes);
        Object[] previous = dirty.get(k);
        if (previous == null) {
            byte[] stored = store.get(keyBytes);
            previous = stored == null ? null : RowCodec.decode(table.columns(), stored);
        } else if (previous == DELETED) {
            previous = null;
        }
        dirty.put(k, row == null ? DELETED : row);
        return previous;
    }

    /** Sends the transaction's key changes to the changelog and stages the store writes. */
    void flush(Producer<byte[], byte[]> producer, ErrorSink errors) {
        for (Map.Entry<ByteBuffer, Object[]> e : dirty.entrySet()) {
            byte[] key = e.getKey().array();
            byte[] value = e.getValue() == DELETED ? null : RowCodec.encode(table.columns(), e.getValue());
            producer.send(new ProducerRecord<>(changelogTopic, partition, key, value),
                    errors.tracking(nextChangelogOffset));
            if (value == null) {
                store.delete(key);
            } else {
                store.put(key, value);
            }
        }
    }

    void committed() {
        store.commit();
        dirty.clear();
        committedChangelogOffset = nextChangelogOffset.get();
    }

    void aborted() {
        store.discard();
        dirty.clear();
        nextChangelogOffset.set(committedChangelogOffset);
    }

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

    String table() {
        return table.name();
    }

    int partition() {
        return partition;
    }
}
