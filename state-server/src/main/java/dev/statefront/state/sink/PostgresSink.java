package dev.statefront.state.sink;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a PostgreSQL table equal to a view: reads the view's change topic ({@code read_committed}, no consumer
 * group) and applies each poll as one database transaction of batched upserts and deletes (folded per key) plus the
 * consumed offsets, written to {@value PostgresSinkConfig#OFFSETS_TABLE} in the same transaction. On start it seeks
 * to the stored offsets, so a crash or restart at any instant neither loses nor repeats a change. Connection loss
 * and other database or Kafka failures are retried with exponential backoff (0.1 s to 10 s) from the stored
 * offsets, each failure logged with its attempt and reflected in {@link #lastError()}; nothing is dropped.
 *
 * <p>Lifecycle {@code CREATED → STARTING → RUNNING ⇄ RETRYING → STOPPED}, or {@code FAILED} when the configuration
 * cannot work (e.g. an existing table lacks view columns).
 */
public final class PostgresSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSink.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 10_000;

    /** Lifecycle states. */
    public enum State { CREATED, STARTING, RUNNING, RETRYING, FAILED, STOPPED }

    private final PostgresSinkConfig config;
    private final String topic;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private HikariDataSource dataSource;
    private CatalogEntry entry;
    private PostgresTable table;
    private ChangeEventCodec codec;

    /** A sink, not started. */
    public PostgresSink(PostgresSinkConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.topic = Topics.viewChanges(config.appId(), config.view());
    }

    /** The settings. */
    public PostgresSinkConfig config() {
        return config;
    }

    /** The current state. */
    public State state() {
        return state.get();
    }

    /** The last failure, or null if the last attempt succeeded. */
    public String lastError() {
        return lastError;
    }

    /** Change records applied since start (each counted once, in the transaction that applied it). */
    public long appliedChanges() {
        return applied.get();
    }

    /** Failed attempts since start. */
    public long failures() {
        return failures.get();
    }

    /**
     * Starts the sink's thread; returns at once (the database and the view may not be there yet: it waits).
     *
     * @throws IllegalStateException if started before
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("sink '" + config.name() + "' cannot start: it is " + state.get());
        }
        Thread t = new Thread(this::run, "statefront-sink-" + config.name());
        thread = t;
        t.start();
        LOG.info("sink '{}' mirrors view '{}' into {} ({})", config.name(), config.view(), config.table(),
                config.jdbcUrl());
    }

    private void run() {
        long backoff = MIN_BACKOFF_MS;
        try {
            while (!stopping) {
                try {
                    prepare();
                    if (state.compareAndSet(State.RETRYING, State.RUNNING)) {
                        LOG.info("sink '{}' recovered after {} failed attempts", config.name(), failures.get());
                    } else {
                        state.compareAndSet(State.STARTING, State.RUNNING);
                    }
                    lastError = null;
                    backoff = MIN_BACKOFF_MS;
                    while (!stopping) {
                        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                        if (!records.isEmpty()) {
                            applyBatch(records);
                        }
                    }
                } catch (WakeupException e) {
                    // close() woke us
                } catch (SinkException | IllegalArgumentException e) {
                    lastError = e.getMessage();
                    state.set(State.FAILED);
                    LOG.error("sink '{}' stopped: {}", config.name(), e.getMessage());
                    return;
                } catch (SQLException | KafkaException | IllegalStateException e) {
                    if (stopping) {
                        break;
                    }
                    long n = failures.incrementAndGet();
                    lastError = e.toString();
                    state.set(State.RETRYING);
                    LOG.warn("sink '{}' failed (attempt {}, table {}): {}; retrying in {} ms from the offsets stored in "
                            + "{}", config.name(), n, config.table(), e.toString(), backoff,
                            PostgresSinkConfig.OFFSETS_TABLE);
                    closeConsumer();
                    sleep(backoff);
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
            }
        } finally {
            closeConsumer();
            HikariDataSource ds = dataSource;
            if (ds != null) {
                ds.close();
            }
            if (state.get() != State.FAILED) {
                state.set(State.STOPPED);
            }
        }
    }

    /** Connects, makes the tables, and seeks the consumer to the stored offsets. */
    private void prepare() throws SQLException {
        if (entry == null) {
            entry = awaitView();
            if (entry == null) {
                throw new WakeupException();
            }
            table = new PostgresTable(config, entry.schema());
            codec = new ChangeEventCodec(config.appId(), entry.schema());
        }
        if (dataSource == null) {
            HikariConfig hc = new HikariConfig();
            hc.setJdbcUrl(config.jdbcUrl());
            hc.setUsername(config.user());
            hc.setPassword(config.password());
            hc.setMaximumPoolSize(2);
            hc.setPoolName("statefront-sink-" + config.name());
            hc.setAutoCommit(false);
            hc.setConnectionTimeout(5000);
            // a broken pool must not stop the sink from starting: it retries like any other failure
            hc.setInitializationFailTimeout(-1);
            hc.addDataSourceProperty("reWriteBatchedInserts", "true");
            dataSource = new HikariDataSource(hc);
        }
        Map<Integer, Long> stored = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            table.ensure(c);
            try (PreparedStatement ps = c.prepareStatement(table.loadOffsetsSql())) {
                ps.setString(1, config.name());
                ps.setString(2, topic);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            c.commit();
        }
        KafkaConsumer<byte[], byte[]> kc = newConsumer();
        consumer = kc;
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < Math.max(1, entry.partitions()); p++) {
            tps.add(new TopicPartition(topic, p));
        }
        awaitTopic(kc);
        kc.assign(tps);
        for (TopicPartition tp : tps) {
            kc.seek(tp, stored.getOrDefault(tp.partition(), 0L));
        }
        LOG.info("sink '{}' reads {} from offsets {}", config.name(), topic, new TreeMap<>(stored));
    }

    /** One poll as one transaction: rows folded per key, deletes, upserts, offsets; all or nothing. */
    private void applyBatch(ConsumerRecords<byte[], byte[]> records) throws SQLException {
        Map<List<Object>, Object[]> upserts = new LinkedHashMap<>();
        Map<List<Object>, Object[]> deletes = new LinkedHashMap<>();
        Map<Integer, long[]> offsets = new TreeMap<>(); // partition -> {next offset, changes}
        for (ConsumerRecord<byte[], byte[]> r : records) {
            long[] o = offsets.computeIfAbsent(r.partition(), p -> new long[2]);
            o[0] = r.offset() + 1;
            if (r.key() == null) {
                continue;
            }
            try {
                Object[] key = codec.decodeKey(r.key());
                List<Object> k = Arrays.asList(key);
                Object[] after = null;
                if (r.value() != null) {
                    ChangeEvent e = codec.decodeValue(r.value());
                    after = e.after();
                    o[1]++;
                }
                if (after == null) {
                    upserts.remove(k);
                    deletes.put(k, key);
                } else {
                    deletes.remove(k);
                    upserts.put(k, after);
                }
            } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
                LOG.warn("sink '{}' skips record {}-{}@{}: {}", config.name(), r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
        long changes = 0;
        try (Connection c = dataSource.getConnection()) {
            try {
                if (!deletes.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(table.deleteSql())) {
                        for (Object[] key : deletes.values()) {
                            table.bindKey(ps, key);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                if (!upserts.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(table.upsertSql())) {
                        for (Object[] row : upserts.values()) {
                            table.bindRow(ps, row);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(table.saveOffsetSql())) {
                    for (Map.Entry<Integer, long[]> e : offsets.entrySet()) {
                        ps.setString(1, config.name());
                        ps.setString(2, topic);
                        ps.setInt(3, e.getKey());
                        ps.setLong(4, e.getValue()[0]);
                        ps.setLong(5, e.getValue()[1]);
                        ps.addBatch();
                        changes += e.getValue()[1];
                    }
                    ps.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        applied.addAndGet(changes);
    }

    /** Reads the catalog topic to its end for the view's entry; waits (checking every second) until it is there. */
    private CatalogEntry awaitView() {
        String catalog = Topics.catalog(config.appId());
        byte[] wanted = ("view:" + config.view()).getBytes(StandardCharsets.UTF_8);
        boolean warned = false;
        while (!stopping) {
            try (KafkaConsumer<byte[], byte[]> kc = newConsumer()) {
                consumer = kc;
                List<PartitionInfo> infos = kc.partitionsFor(catalog, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(catalog, i.partition()))
                            .toList();
                    kc.assign(tps);
                    kc.seekToBeginning(tps);
                    Map<TopicPartition, Long> ends = kc.endOffsets(tps, Duration.ofSeconds(5));
                    CatalogEntry found = null;
                    boolean dropped = false;
                    while (!stopping && tps.stream().anyMatch(tp -> kc.position(tp) < ends.get(tp))) {
                        for (ConsumerRecord<byte[], byte[]> r : kc.poll(POLL)) {
                            if (r.key() != null && Arrays.equals(r.key(), wanted)) {
                                dropped = r.value() == null;
                                found = dropped ? null : CatalogEntry.fromJson(r.value());
                            }
                        }
                    }
                    if (found != null) {
                        return found;
                    }
                }
            } catch (WakeupException e) {
                return null;
            } catch (KafkaException | DecodeException e) {
                LOG.warn("sink '{}' cannot read the catalog yet: {}", config.name(), e.toString());
            } finally {
                consumer = null;
            }
            if (!warned) {
                LOG.info("sink '{}' waits for view '{}' to appear in the catalog", config.name(), config.view());
                warned = true;
            }
            sleep(1000);
        }
        return null;
    }

    private void awaitTopic(KafkaConsumer<byte[], byte[]> kc) {
        while (!stopping) {
            List<PartitionInfo> infos = kc.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return;
            }
            sleep(500);
        }
        throw new WakeupException();
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        Map<String, Object> props = new HashMap<>(config.consumerOverrides());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.appId() + "-sink-" + config.name());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.batchSize());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props);
    }

    private void closeConsumer() {
        KafkaConsumer<byte[], byte[]> kc = consumer;
        consumer = null;
        if (kc != null) {
            try {
                kc.close(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.debug("closing the consumer of sink '{}' failed: {}", config.name(), e.toString());
            }
        }
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /**
     * Stops the sink (bounded wait); what was committed stays, the next start resumes after it. Idempotent.
     */
    @Override
    public void close() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> kc = consumer;
        if (kc != null) {
            kc.wakeup();
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(15_000);
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (t == null) {
            state.set(State.STOPPED);
        }
    }
}
