package dev.statefront.state.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * One RocksDB database holding every view replica of a state server: a column family per view (keys in
 * {@code KeyCodec} encoding, so byte order is SQL key order; values in {@code RowCodec} encoding) and a meta
 * column family (offsets, positions, counts, catalog). Thread-safe; reads may run concurrently with one writer.
 * Every operation after {@link #close()} throws {@link StoreException}, so in-flight reads never touch freed
 * native memory.
 */
public final class StateStore implements AutoCloseable {
    private static final String META_CF = "statefront-meta";
    private static final String VIEW_CF_PREFIX = "view:";
    private static final long BLOCK_CACHE_BYTES = 64L << 20;

    static {
        RocksDB.loadLibrary();
    }

    /**
     * Loads RocksDB's native library now, ahead of the first store (it is copied out of its jar once per process,
     * about 0.15 s): for a start-up that does it on a thread of its own. Every RocksDB store in the process, the
     * processor's too, then finds it loaded. Idempotent.
     */
    public static void loadNativeLibrary() {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final LRUCache cache;
    private final BloomFilter bloom;
    private final ColumnFamilyOptions cfOptions;
    private final DBOptions dbOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultHandle;
    private final ColumnFamilyHandle metaHandle;
    private final Map<String, ColumnFamilyHandle> views = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final java.util.Set<StoreSnapshot> snapshots = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private StateStore(Path dir) {
        this.dir = dir;
        this.cache = new LRUCache(BLOCK_CACHE_BYTES);
        this.bloom = new BloomFilter(10, false);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setCacheIndexAndFilterBlocks(true);
        this.cfOptions = new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .optimizeLevelStyleCompaction();
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2);
        this.writeOptions = new WriteOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        descriptors.add(new ColumnFamilyDescriptor(bytes(META_CF), cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            try (Options listOptions = new Options()) {
                for (byte[] name : listExisting(listOptions, dir)) {
                    String s = new String(name, StandardCharsets.UTF_8);
                    if (s.startsWith(VIEW_CF_PREFIX)) {
                        descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
                    }
                }
            }
            this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException | java.io.IOException e) {
            handles.forEach(ColumnFamilyHandle::close);
            closeOptions();
            throw new StoreException("cannot open state store at " + dir + ": " + e.getMessage(), e);
        }
        this.defaultHandle = handles.get(0);
        this.metaHandle = handles.get(1);
        for (int i = 2; i < handles.size(); i++) {
            String s = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
            views.put(s.substring(VIEW_CF_PREFIX.length()), handles.get(i));
        }
    }

    /**
     * Opens (creating if missing) the store in a directory.
     *
     * @throws StoreException if the directory cannot be used or RocksDB refuses to open (for example another
     *     process holds its lock)
     */
    public static StateStore open(Path dir) {
        return new StateStore(dir);
    }

    private static List<byte[]> listExisting(Options options, Path dir) throws RocksDBException {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return List.of();
        }
        return RocksDB.listColumnFamilies(options, dir.toString());
    }

    /** The directory of this store. */
    public Path dir() {
        return dir;
    }

    /** Names of the views that have a column family, in no particular order. */
    public List<String> views() {
        return List.copyOf(views.keySet());
    }

    /**
     * Creates the column family of a view if it does not exist yet.
     *
     * @throws StoreException if RocksDB cannot create it
     */
    public void ensureView(String view) {
        read(() -> {
            views.computeIfAbsent(view, v -> {
                try {
                    return db.createColumnFamily(new ColumnFamilyDescriptor(bytes(VIEW_CF_PREFIX + v), cfOptions));
                } catch (RocksDBException e) {
                    throw new StoreException("cannot create column family of view '" + v + "' in " + dir, e);
                }
            });
            return null;
        });
    }

    /**
     * The value stored under a key of a view, or null if there is none.
     *
     * @throws StoreException if the view has no column family or the store is closed
     */
    public byte[] get(String view, byte[] key) {
        return read(() -> {
            try {
                return db.get(viewHandle(view), key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read view '" + view + "' in " + dir, e);
            }
        });
    }

    /**
     * The values stored under several keys of a view, in the order of the keys, null where absent.
     *
     * @throws StoreException if the view has no column family or the store is closed
     */
    public List<byte[]> multiGet(String view, List<byte[]> keys) {
        return read(() -> {
            ColumnFamilyHandle cf = viewHandle(view);
            List<ColumnFamilyHandle> cfs = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                cfs.add(cf);
            }
            try {
                return db.multiGetAsList(cfs, keys);
            } catch (RocksDBException e) {
                throw new StoreException("cannot multi-get " + keys.size() + " keys of view '" + view + "' in " + dir, e);
            }
        });
    }

    /**
     * Entries of a view in key byte order from {@code fromInclusive} up to {@code toExclusive}.
     *
     * @param fromInclusive first key, or null for the start of the view
     * @param toExclusive end key, or null for the end of the view
     * @param limit the most entries returned
     * @param keyFilter entries whose key fails the filter are skipped (and not counted); null keeps all
     * @throws StoreException if the view has no column family or the store is closed
     */
    public List<KeyValue> scan(String view, byte[] fromInclusive, byte[] toExclusive, int limit,
                               Predicate<byte[]> keyFilter) {
        return read(() -> {
            List<KeyValue> out = new ArrayList<>(Math.min(limit, 1024));
            try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(viewHandle(view), ro)) {
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
                    if (keyFilter == null || keyFilter.test(k)) {
                        out.add(new KeyValue(k, it.value()));
                    }
                    it.next();
                }
                it.status();
            } catch (RocksDBException e) {
                throw new StoreException("cannot scan view '" + view + "' in " + dir, e);
            }
            return out;
        });
    }

    /** A meta value, or null. */
    public byte[] getMeta(byte[] key) {
        return read(() -> {
            try {
                return db.get(metaHandle, key);
            } catch (RocksDBException e) {
                throw new StoreException("cannot read meta data in " + dir, e);
            }
        });
    }

    /** All meta entries whose key starts with a prefix, in key order. */
    public List<KeyValue> scanMeta(byte[] prefix) {
        return read(() -> {
            List<KeyValue> out = new ArrayList<>();
            try (RocksIterator it = db.newIterator(metaHandle)) {
                for (it.seek(prefix); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                        break;
                    }
                    out.add(new KeyValue(k, it.value()));
                }
                it.status();
            } catch (RocksDBException e) {
                throw new StoreException("cannot scan meta data in " + dir, e);
            }
            return out;
        });
    }

    /**
     * A consistent point-in-time view of the store (a RocksDB snapshot) for long scans, e.g. a change
     * subscription's initial snapshot. Close it when done; closing the store closes it too.
     *
     * @throws StoreException if the store is closed
     */
    public StoreSnapshot snapshot() {
        return read(() -> {
            StoreSnapshot s = new StoreSnapshot(this, db, db.getSnapshot());
            snapshots.add(s);
            return s;
        });
    }

    void release(StoreSnapshot s) {
        closeLock.readLock().lock();
        try {
            // whoever removes it releases it: this, or close() under the write lock
            if (!closed && snapshots.remove(s)) {
                db.releaseSnapshot(s.rocksSnapshot());
            }
        } finally {
            closeLock.readLock().unlock();
        }
    }

    boolean isOpen(StoreSnapshot s) {
        return snapshots.contains(s);
    }

    <T> T readOpen(java.util.function.Supplier<T> op) {
        return read(op);
    }

    /** A new, empty batch for {@link #write}. */
    public StoreBatch newBatch() {
        return new StoreBatch(this);
    }

    /**
     * Applies a batch atomically (with the write-ahead log, so it survives a process crash).
     *
     * @throws StoreException if RocksDB fails or the store is closed
     */
    public void write(StoreBatch batch) {
        read(() -> {
            try {
                db.write(writeOptions, batch.writeBatch());
            } catch (RocksDBException e) {
                throw new StoreException("cannot write a batch of " + batch.size() + " operations to " + dir, e);
            }
            return null;
        });
    }

    ColumnFamilyHandle viewHandle(String view) {
        ColumnFamilyHandle cf = views.get(view);
        if (cf == null) {
            throw new StoreException("view '" + view + "' has no column family in " + dir + " (stored views: "
                    + views.keySet() + ")");
        }
        return cf;
    }

    ColumnFamilyHandle metaHandle() {
        return metaHandle;
    }

    private <T> T read(java.util.function.Supplier<T> op) {
        closeLock.readLock().lock();
        try {
            if (closed) {
                throw new StoreException("state store at " + dir + " is closed");
            }
            return op.get();
        } finally {
            closeLock.readLock().unlock();
        }
    }

    /** Flushes nothing extra (the WAL is on), closes every handle and the database; idempotent. */
    @Override
    public void close() {
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (StoreSnapshot snap : snapshots) {
                db.releaseSnapshot(snap.rocksSnapshot());
            }
            snapshots.clear();
            views.values().forEach(ColumnFamilyHandle::close);
            metaHandle.close();
            defaultHandle.close();
            db.close();
            closeOptions();
        } finally {
            closeLock.writeLock().unlock();
        }
    }

    private void closeOptions() {
        writeOptions.close();
        dbOptions.close();
        cfOptions.close();
        bloom.close();
        cache.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
