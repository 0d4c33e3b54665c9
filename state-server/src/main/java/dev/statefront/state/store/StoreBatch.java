package dev.statefront.state.store;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Writes to several views and to the meta data, applied atomically by {@link StateStore#write(StoreBatch)}.
 * Not thread-safe; close it after writing (or to discard it).
 */
public final class StoreBatch implements AutoCloseable {
    private final StateStore store;
    private final WriteBatch batch = new WriteBatch();
    private int operations;

    StoreBatch(StateStore store) {
        this.store = store;
    }

    /**
     * Puts a row of a view.
     *
     * @throws StoreException if the view has no column family (see {@link StateStore#ensureView})
     */
    public void put(String view, byte[] key, byte[] value) {
        ColumnFamilyHandle cf = store.viewHandle(view);
        try {
            batch.put(cf, key, value);
            operations++;
        } catch (RocksDBException e) {
            throw new StoreException("cannot add put of view '" + view + "' to a batch", e);
        }
    }

    /**
     * Deletes a row of a view.
     *
     * @throws StoreException if the view has no column family
     */
    public void delete(String view, byte[] key) {
        ColumnFamilyHandle cf = store.viewHandle(view);
        try {
            batch.delete(cf, key);
            operations++;
        } catch (RocksDBException e) {
            throw new StoreException("cannot add delete of view '" + view + "' to a batch", e);
        }
    }

    /** Puts a meta entry (offsets, positions, counts, catalog). */
    public void putMeta(byte[] key, byte[] value) {
        try {
            batch.put(store.metaHandle(), key, value);
            operations++;
        } catch (RocksDBException e) {
            throw new StoreException("cannot add meta put to a batch", e);
        }
    }

    /** Deletes a meta entry. */
    public void deleteMeta(byte[] key) {
        try {
            batch.delete(store.metaHandle(), key);
            operations++;
        } catch (RocksDBException e) {
            throw new StoreException("cannot add meta delete to a batch", e);
        }
    }

    /** How many operations the batch holds. */
    public int size() {
        return operations;
    }

    WriteBatch writeBatch() {
        return batch;
    }

    @Override
    public void close() {
        batch.close();
    }
}
