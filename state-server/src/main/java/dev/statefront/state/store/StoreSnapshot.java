package dev.statefront.state.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A point-in-time view of a {@link StateStore}: scans see exactly what the store held when the snapshot was
 * taken, whatever is written after. Paged by the caller, so no iterator stays open between pages. Thread-safe;
 * {@link #close()} is idempotent, and closing the store releases it.
 */
public final class StoreSnapshot implements AutoCloseable {
    private final StateStore store;
    private final RocksDB db;
    private final Snapshot snapshot;

    StoreSnapshot(StateStore store, RocksDB db, Snapshot snapshot) {
        this.store = store;
        this.db = db;
        this.snapshot = snapshot;
    }

    /**
     * Up to {@code limit} entries of a view in key order, from {@code fromInclusive} (null: the start) to
     * {@code toExclusive} (null: the end), as of the snapshot.
     *
     * @throws StoreException if the snapshot or the store is closed, or RocksDB fails
     */
    public List<KeyValue> scan(String view, byte[] fromInclusive, byte[] toExclusive, int limit) {
        return store.readOpen(() -> {
            {
                if (!store.isOpen(this)) {
                    throw new StoreException("snapshot of " + store.dir() + " is closed");
                }
                List<KeyValue> out = new ArrayList<>(Math.min(limit, 1024));
                try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot);
                     RocksIterator it = db.newIterator(store.viewHandle(view), ro)) {
                    if (fromInclusive == null) {
                        it.seekToFirst();
                    } else {
                        it.seek(fromInclusive);
                    }
                    while (it.isValid() && out.size() < limit) {
                        byte[] k = it.key();
                        if (toExclusive != null && Arrays.compareUnsigned(k, toExclusive) >= 0) {
                            break;
                        }
                        out.add(new KeyValue(k, it.value()));
                        it.next();
                    }
                    it.status();
                } catch (RocksDBException e) {
                    throw new StoreException("cannot scan a snapshot of view '" + view + "' in " + store.dir(), e);
                }
                return out;
            }
        });
    }

    Snapshot rocksSnapshot() {
        return snapshot;
    }

    /** Releases the snapshot, letting RocksDB drop the versions only it kept. */
    @Override
    public void close() {
        store.release(this);
    }
}
