package dev.statefront.processor.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The working state of one processor task (one view partition) in its own RocksDB. Writes come as batches
 * after each committed Kafka transaction; the WAL is off because the changelog topic is the durable copy.
 * A checkpoint file, written only on a clean close, records the changelog offset the store reflects;
 * without one the store is wiped and restored from the changelog.
 */
public final class TaskStore implements AutoCloseable {
    private static final String CHECKPOINT = ".checkpoint";
    private static final Cache SHARED_CACHE;

    static {
        RocksDB.loadLibrary();
        SHARED_CACHE = new LRUCache(64L * 1024 * 1024);
    }

    private final Path dir;
    private final Options options;
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private WriteBatch batch = new WriteBatch();

    private TaskStore(Path dir, Options options, RocksDB db) {
        this.dir = dir;
        this.options = options;
        this.db = db;
        this.writeOptions = new WriteOptions().setDisableWAL(true);
    }

    /**
     * Opens (creating if needed) the store in {@code dir}.
     *
     * @throws StoreException if RocksDB cannot open it
     */
    public static TaskStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(SHARED_CACHE)
                    .setFilterPolicy(new BloomFilter(10, false))
                    .setBlockSize(16 * 1024);
            Options options = new Options().setCreateIfMissing(true)
                    .setTableFormatConfig(table)
                    .setCompressionType(CompressionType.NO_COMPRESSION)
                    .setWriteBufferSize(16L * 1024 * 1024)
                    .setMaxWriteBufferNumber(3)
                    .setMaxBackgroundJobs(2);
            return new TaskStore(dir, options, RocksDB.open(options, dir.resolve("db").toString()));
        } catch (IOException | RocksDBException e) {
            throw new StoreException("cannot open task store at " + dir, e);
        }
    }

    /** Deletes a store directory and everything in it; absent is fine. */
    public static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new StoreException("cannot wipe task store at " + dir, e);
        }
    }

    /** The changelog offset of a clean close, if the directory has one. */
    public static OptionalLong readCheckpoint(Path dir) {
        Path f = dir.resolve(CHECKPOINT);
        try {
            return Files.exists(f) ? OptionalLong.of(Long.parseLong(Files.readString(f).trim())) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Removes the checkpoint: from now on the store may run ahead of what is committed. */
    public void deleteCheckpoint() {
        try {
            Files.deleteIfExists(dir.resolve(CHECKPOINT));
        } catch (IOException e) {
            throw new StoreException("cannot delete checkpoint in " + dir, e);
        }
    }

    /** The value of a key, or null. */
    public byte[] get(byte[] key) {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new StoreException("cannot read task store at " + dir, e);
        }
    }

    /** Stages a put for the next {@link #commit()}. */
    public void put(byte[] key, byte[] value) {
        try {
            batch.put(key, value);
        } catch (RocksDBException e) {
            throw new StoreException("cannot stage write in " + dir, e);
        }
    }

    /** Stages a delete for the next {@link #commit()}. */
    public void delete(byte[] key) {
        try {
            batch.delete(key);
        } catch (RocksDBException e) {
            throw new StoreException("cannot stage delete in " + dir, e);
        }
    }

    /** Applies the staged writes atomically. */
    public void commit() {
        if (batch.count() == 0) {
            return;
        }
        try {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("cannot write task store at " + dir, e);
        } finally {
            batch.close();
            batch = new WriteBatch();
        }
    }

    /** Drops the staged writes. */
    public void discard() {
        batch.clear();
    }

    /** Flushes memtables and writes the checkpoint: the store reflects the changelog up to {@code offset}. */
    public void checkpoint(long offset) {
        try (var flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
            Path tmp = dir.resolve(CHECKPOINT + ".tmp");
            Files.writeString(tmp, Long.toString(offset), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(CHECKPOINT), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RocksDBException e) {
            throw new StoreException("cannot checkpoint task store at " + dir, e);
        }
    }

    @Override
    public void close() {
        batch.close();
        writeOptions.close();
        db.close();
        options.close();
    }
}
