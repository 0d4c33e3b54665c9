package dev.statefront.ingest.cdc;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one PostgreSQL table with Debezium's embedded engine (pgoutput, nothing to install in the database):
 * a consistent snapshot of the existing rows, then every insert, update and delete, written as Debezium JSON
 * (no embedded schema) to the table's topic, keyed by the primary key ({@code {"id": 42}}).
 *
 * <p>Delivery: each batch is written with an idempotent producer and acknowledged by every broker in sync before
 * Debezium may commit its offsets (in the compacted {@link CdcConfig#offsetsTopic()}, one key per engine name).
 * A crash replays at most the changes since the last offset commit, in order; the processor's table semantics
 * (the latest row of each key counts) make that replay change nothing in the views.
 *
 * <p>Lifecycle: {@code CREATED → STARTING → RUNNING → STOPPING → STOPPED}, or {@code FAILED} when the engine
 * stops by itself with an error ({@link #failure()}).
 */
public final class PostgresCdcEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCdcEngine.class);
    private static final String ENGINE_FACTORY = "io.debezium.embedded.async.ConvertingAsyncEngineBuilderFactory";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** Lifecycle states. */
    public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED, FAILED }

    private final CdcConfig config;
    private final CdcTable table;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private KafkaProducer<byte[], byte[]> producer;
    private DebeziumEngine<ChangeEvent<String, String>> engine;
    private Thread thread;

    public PostgresCdcEngine(CdcConfig config, CdcTable table) {
        this.config = config;
        this.table = table;
    }

    /** The replication slot and publication name of this capture. */
    public String slotName() {
        return table.slotName(config.appId());
    }

    /**
     * Checks the database, then starts the engine and waits until its task runs (the snapshot or streaming has
     * begun).
     *
     * @throws CdcException if a check fails or the engine does not start; the message says what to change
     * @throws IllegalStateException if already started
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException(table + ": cannot start from state " + state.get());
        }
        try {
            PostgresPreflight.check(table, slotName());
            producer = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
            engine = DebeziumEngine.create(Json.class, Json.class, Json.class, ENGINE_FACTORY)
                    .using(engineProps())
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            started.countDown();
                        }
                    })
                    .using((success, message, error) -> {
                        if (!success || error != null) {
                            failure.compareAndSet(null, error != null ? error : new CdcException(message));
                            if (state.get() != State.STOPPING) {
                                state.set(State.FAILED);
                                LOG.error("{}: capture stopped: {}", table, message, error);
                            }
                        }
                        started.countDown();
                        finished.countDown();
                    })
                    .notifying(this::handleBatch)
                    .build();
            thread = new Thread(engine, "statefront-cdc-" + table.name());
            thread.setDaemon(true);
            thread.start();
            if (!started.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CdcException(table + ": Debezium did not start within " + START_TIMEOUT.toSeconds() + " s");
            }
            Throwable f = failure.get();
            if (f != null) {
                throw new CdcException(table + ": Debezium failed to start: " + rootMessage(f), f);
            }
            state.compareAndSet(State.STARTING, State.RUNNING);
            LOG.info("{}: capturing into topic {} (slot and publication {})", table, table.topic(), slotName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly();
            state.set(State.FAILED);
            throw new CdcException(table + ": interrupted while starting", e);
        } catch (RuntimeException e) {
            stopQuietly();
            state.set(State.FAILED);
            throw e;
        }
    }

    public State state() {
        return state.get();
    }

    /** Why the engine stopped by itself, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** Writes a batch to Kafka, waits for every acknowledgement, then lets Debezium commit the batch's offsets. */
    private void handleBatch(List<ChangeEvent<String, String>> records,
                             DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> r : records) {
            byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
            byte[] value = r.value() == null ? null : r.value().getBytes(StandardCharsets.UTF_8);
            sent.add(producer.send(new ProducerRecord<>(table.topic(), key, value)));
        }
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            // offsets of this batch are not committed: a restart writes it again
            throw new CdcException(table + ": cannot write changes to topic " + table.topic() + ": "
                    + rootMessage(e), e.getCause());
        }
        for (ChangeEvent<String, String> r : records) {
            committer.markProcessed(r);
        }
        committer.markBatchFinished();
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.putAll(config.kafkaOverrides());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.appId() + "-cdc-" + table.name());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    Properties engineProps() {
        CdcTable.Endpoint db = table.endpoint();
        Properties p = new Properties();
        for (Map.Entry<String, Object> e : config.kafkaOverrides().entrySet()) {
            p.put(e.getKey(), String.valueOf(e.getValue())); // security settings for the offset store's clients
        }
        p.setProperty("name", config.appId() + "-cdc-" + table.name());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.setProperty("offset.storage.topic", config.offsetsTopic());
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", Short.toString(config.replicationFactor()));
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("bootstrap.servers", config.bootstrapServers());
        p.setProperty("database.hostname", db.host());
        p.setProperty("database.port", Integer.toString(db.port()));
        p.setProperty("database.dbname", db.database());
        if (table.user() != null) {
            p.setProperty("database.user", table.user());
        }
        if (table.password() != null) {
            p.setProperty("database.password", table.password());
        }
        p.setProperty("topic.prefix", config.appId() + "-" + table.name());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slotName());
        p.setProperty("publication.name", slotName());
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", table.table());
        p.setProperty("snapshot.mode", "initial");
        // values the processor's strict JSON decoding takes as they are: decimals as strings, timestamps in epoch
        // milliseconds (timestamptz as ISO-8601)
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("time.precision.mode", "connect");
        p.setProperty("tombstones.on.delete", "true"); // lets compaction drop deleted keys from the topic
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        p.setProperty("errors.max.retries", "3");
        return p;
    }

    /** Stops the engine (committing the offsets of what was written) and the producer. Bounded; idempotent. */
    @Override
    public void close() {
        State s = state.get();
        if (s == State.STOPPED || s == State.CREATED) {
            state.set(State.STOPPED);
            return;
        }
        state.set(State.STOPPING);
        stopQuietly();
        state.set(State.STOPPED);
    }

    private void stopQuietly() {
        if (engine != null) {
            try {
                engine.close();
            } catch (Exception e) {
                LOG.warn("{}: stopping Debezium failed: {}", table, e.toString());
            }
            try {
                if (thread != null && !finished.await(30, TimeUnit.SECONDS)) {
                    LOG.warn("{}: Debezium did not stop within 30 s", table);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root.getMessage() + ")";
    }
}
