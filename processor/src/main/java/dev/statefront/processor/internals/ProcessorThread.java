package dev.statefront.processor.internals;

import dev.statefront.core.CommittedPartition;
import dev.statefront.core.DecodeException;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.RowCodec;
import dev.statefront.core.Topics;
import dev.statefront.processor.CommitListener;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.state.TaskStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One processing loop: a consumer in the processor's group and two transactional producers used in turn. Each
 * iteration polls, applies the records to the view partition tasks (or forwards them to repartition topics), then in
 * ONE transaction sends the view changes, changelogs, dead letters and progress markers and commits the
 * consumed offsets (exactly-once, KIP-447 style with the consumer's group metadata). A transaction is
 * committed as soon as the previous one is done: light load commits often, heavy load batches more.
 */
public final class ProcessorThread implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorThread.class);
    /** Header on repartition records that carry a stage-1 position marker instead of a row. */
    static final String MARKER_HEADER = "sf.marker";
    /**
     * Header on repartition records that retract their row (value {@code "-"}); without it a row is added. The
     * record value is the source row ({@link RowCodec}) either way.
     */
    static final String SIGN_HEADER = "sf.sign";
    private static final byte[] RETRACT = {'-'};
    /**
     * Under a backlog a transaction takes in at most this many records, or what arrives within
     * {@link ProcessorConfig#transactionMaxMs()}: each group's change and changelog record is written once per
     * transaction, so bigger transactions while catching up mean less output per input record. Under light load a
     * transaction holds one poll and commits at once.
     */
    private static final int MAX_BATCH_RECORDS = 1_000_000;
    /** ... and at most this many key and value bytes (1/8 of the heap, at most 256 MiB) of input. */
    private static final long MAX_BATCH_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);
    /** Below this many records still to read, a drain stops taking more: the transaction commits. */
    private static final long BACKLOG_RECORDS = 20_000;
    /**
     * How long one poll of a backlog drain waits for the next fetch. A poll that returns nothing does not end the
     * drain while the consumer still knows of {@link #BACKLOG_RECORDS} records to read: on two busy cores a fetch
     * often takes longer than this, and each early commit costs a whole round of change and changelog records.
     */
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);
    /**
     * A poll that returns records within this time handed over a fetch answered while the previous transaction
     * committed: the consumer sends the next fetch only when its buffer is taken, so what arrived since waits at
     * the broker.
     */
    private static final long BUFFERED_POLL_NANOS = 1_000_000;
    /**
     * How long a transaction that started from such a poll waits for that next fetch. Without it those records
     * would wait a whole transaction more.
     */
    private static final Duration FOLLOW_UP_POLL = Duration.ofMillis(5);

    private final ProcessorConfig config;
    private final Map<String, List<ViewRuntime>> viewsBySourceTopic = new HashMap<>();
    private final Map<String, ViewRuntime> viewsByRepartitionTopic = new HashMap<>();
    private final Map<String, SourceDefinition> sourcesByTopic = new HashMap<>();
    private final Map<String, SourceDecoder> decodersByTopic = new HashMap<>();
    private final String transactionalId;
    private final Path tasksDir;
    private final AtomicBoolean running;
    private final ProcessorMetrics metrics;
    private final Clock clock;
    private final String dlqTopic;
    private final String progressTopic;

    /** The source consumer. Its records' keys and values are views of the fetch buffer: JSON is parsed in place. */
    private KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    /**
     * Two transactional producers used in turn. After {@code commitTransaction} returns, the coordinator still
     * writes the commit markers; a produce of the same transactional id in that window is answered
     * CONCURRENT_TRANSACTIONS and retried after a broker-side backoff (20 ms by default), which would add to
     * every change's latency. The other producer's transaction is not in that window, so the next transaction
     * starts at once. Both are fenced on every (re)start; offsets are committed in whichever is current.
     */
    private final KafkaProducer<byte[], byte[]>[] producers = newProducerArray();
    private int current;
    /** The producer of the transaction in progress (one of {@link #producers}). */
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> restoreConsumer;
    private final Map<TaskId, ViewPartitionTask> tasks = new HashMap<>();
    /** Per assigned partition of a table source: the latest row of each key. */
    private final Map<TopicPartition, TablePartitionState> tables = new HashMap<>();
    /** Stage 1: per assigned source partition, the last instant it was read to its end. */
    private final Map<TopicPartition, Long> sourceAsOf = new HashMap<>();
    /** Stage 2: per task, per source partition, the as-of carried by the latest marker. */
    private final Map<TaskId, long[]> markerAsOf = new HashMap<>();
    private final ErrorSink errors = new ErrorSink();
    private final CommitListener listener;
    /** Whether a transaction is open, and the source offsets it has consumed so far. */
    private boolean inTransaction;
    private final Map<TopicPartition, OffsetAndMetadata> openOffsets = new HashMap<>();
    private long lastProgressMs;
    private int maxPollRecords = 500;

    /** A view partition. */
    record TaskId(String view, int partition) {
    }

    public ProcessorThread(ProcessorConfig config, Collection<ViewRuntime> views, String transactionalId,
                           AtomicBoolean running, ProcessorMetrics metrics, Clock clock) {
        this(config, views, transactionalId, running, metrics, clock, null);
    }

    /**
     * A processing loop that tells {@code listener} (if not null) what each committed transaction wrote.
     */
    public ProcessorThread(ProcessorConfig config, Collection<ViewRuntime> views, String transactionalId,
                           AtomicBoolean running, ProcessorMetrics metrics, Clock clock, CommitListener listener) {
        this.config = config;
        this.listener = listener;
        Map<String, BitSet> columnsRead = new HashMap<>();
        for (ViewRuntime v : views) {
            viewsBySourceTopic.computeIfAbsent(v.sourceTopic(), t -> new ArrayList<>()).add(v);
            sourcesByTopic.put(v.sourceTopic(), v.plan().source());
            columnsRead.computeIfAbsent(v.sourceTopic(), t -> new BitSet()).or(v.plan().sourceColumnsRead());
            if (v.repartitionTopic() != null) {
                viewsByRepartitionTopic.put(v.repartitionTopic(), v);
            }
        }
        // one decoder per source topic, building the columns any of its views reads
        columnsRead.forEach((topic, read) -> decodersByTopic.put(topic, new SourceDecoder(sourcesByTopic.get(topic),
                read)));
        this.transactionalId = transactionalId;
        this.tasksDir = config.stateDir().resolve("tasks");
        this.running = running;
        this.metrics = metrics;
        this.clock = clock;
        this.dlqTopic = Topics.deadLetter(config.appId());
        this.progressTopic = Topics.progress(config.appId());
    }

    /** Wakes the consumer so the loop notices {@code running} went false. */
    public void wakeup() {
        KafkaConsumer<ByteBuffer, ByteBuffer> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        long backoffMs = 500;
        while (running.get()) {
            boolean clean = false;
            try {
                open();
                loop();
                clean = true;
            } catch (WakeupException e) {
                clean = !running.get();
            } catch (RuntimeException e) {
                if (!running.get()) {
                    break;
                }
                metrics.restarts.incrementAndGet();
                LOG.error("processing loop {} failed; rebuilding it in {} ms (tasks restore from their changelogs)",
                        transactionalId, backoffMs, e);
            } finally {
                closeAll(clean);
            }
            if (running.get()) {
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static KafkaProducer<byte[], byte[]>[] newProducerArray() {
        return (KafkaProducer<byte[], byte[]>[]) new KafkaProducer<?, ?>[2];
    }

    /** The transactional id of producer slot {@code i}: the thread's id, and a second one beside it. */
    static String transactionalId(String base, int slot) {
        return slot == 0 ? base : base + "-b";
    }

    private void open() {
        for (int i = 0; i < producers.length; i++) {
            producers[i] = newProducer(transactionalId(transactionalId, i));
            // aborts whatever a previous incarnation with this id left open, so read_committed readers move on
            producers[i].initTransactions();
        }
        current = 0;
        producer = producers[0];
        openConsumer();
    }

    private KafkaProducer<byte[], byte[]> newProducer(String id) {
        Properties pp = new Properties();
        pp.putAll(config.kafkaOverrides());
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "1"); // the flush at the end of a transaction sends the rest
        pp.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        pp.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
        // a produce right after a commit may be answered CONCURRENT_TRANSACTIONS while the markers are written;
        // retry it soon rather than after the default 100 ms, which would add to every change's latency
        pp.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, "5");
        return new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private void openConsumer() {
        Properties cp = consumerProps();
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, config.appId() + "-processor");
        // static membership: a restarted instance (same persisted id) takes its partitions back at once instead
        // of waiting for the crashed member's session to time out
        cp.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, transactionalId);
        cp.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "15000");
        cp.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        maxPollRecords = Integer.parseInt(cp.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG).toString());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(cp, new ByteBufferDeserializer(), new ByteBufferDeserializer());
        restoreConsumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Set<String> topics = new LinkedHashSet<>(viewsBySourceTopic.keySet());
        topics.addAll(viewsByRepartitionTopic.keySet());
        consumer.subscribe(topics, new Rebalance());
    }

    private Properties consumerProps() {
        Properties cp = new Properties();
        cp.putAll(config.kafkaOverrides());
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return cp;
    }

    private void loop() {
        while (running.get()) {
            long polled = System.nanoTime();
            ConsumerRecords<ByteBuffer, ByteBuffer> records =
                    consumer.poll(Duration.ofMillis(Math.min(100, config.progressIntervalMs())));
            boolean buffered = !records.isEmpty() && System.nanoTime() - polled < BUFFERED_POLL_NANOS;
            long now = clock.millis();
            boolean progressDue = now - lastProgressMs >= config.progressIntervalMs();
            if (records.isEmpty() && (!progressDue || consumer.assignment().isEmpty())) {
                continue;
            }
            runTransaction(records, buffered, now);
        }
    }

    /**
     * One transaction: applies the polled records and, under a backlog, goes on polling and applying what the
     * consumer has (up to a bound) so one transaction covers more records: each group's change and changelog
     * record is then written once per transaction, not once per poll. Records are applied as they arrive, so the
     * next fetch is on its way while these are processed. Under light load the first poll is all there is and the
     * transaction commits at once; if that poll only handed over records fetched while the previous transaction
     * committed ({@code buffered}), the fetch it sent, with what arrived since, is taken in too.
     */
    private void runTransaction(ConsumerRecords<ByteBuffer, ByteBuffer> first, boolean buffered, long now) {
        long bytes = take(first);
        ConsumerRecords<ByteBuffer, ByteBuffer> last = first;
        int total = first.count();
        if (buffered && total < maxPollRecords) {
            last = pollInTransaction(FOLLOW_UP_POLL);
            bytes += take(last);
            total += last.count();
        }
        if (last.count() >= maxPollRecords) { // a full poll: a backlog
            long deadline = System.nanoTime() + config.transactionMaxMs() * 1_000_000L;
            while (total < MAX_BATCH_RECORDS && bytes < MAX_BATCH_BYTES && System.nanoTime() < deadline
                    && lag() >= BACKLOG_RECORDS) { // near the head of the input: commit now, for freshness
                // a short poll: it returns as soon as the next fetch is in; nothing within it is a slow fetch
                // (the loop's condition asks the consumer again whether a backlog is left)
                ConsumerRecords<ByteBuffer, ByteBuffer> next = pollInTransaction(DRAIN_POLL);
                if (next.isEmpty()) {
                    continue;
                }
                bytes += take(next);
                total += next.count();
            }
        }
        commitOpen(now);
    }

    /** A poll while a transaction may be open: if it fails (or is woken up to stop), the transaction is aborted. */
    private ConsumerRecords<ByteBuffer, ByteBuffer> pollInTransaction(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (RuntimeException e) {
            if (inTransaction) {
                abort(e);
            }
            throw e;
        }
    }

    /** Records not yet read from the assigned partitions, as far as the consumer knows (unknown counts as 0). */
    private long lag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong l = consumer.currentLag(tp);
            if (l.isPresent()) {
                lag += l.getAsLong();
            }
        }
        return lag;
    }

    private void beginIfNone() {
        if (!inTransaction) {
            errors.reset();
            producer.beginTransaction();
            inTransaction = true;
        }
    }

    /**
     * Applies polled records in the open transaction (beginning one if none is open).
     *
     * @return the key and value bytes of the records, which bound how much one transaction takes in
     */
    private long take(ConsumerRecords<ByteBuffer, ByteBuffer> records) {
        if (records.isEmpty()) {
            return 0;
        }
        long bytes = 0;
        beginIfNone();
        try {
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<ByteBuffer, ByteBuffer>> batch = records.records(tp);
                ViewRuntime repartitioned = viewsByRepartitionTopic.get(tp.topic());
                for (ConsumerRecord<ByteBuffer, ByteBuffer> r : batch) {
                    bytes += Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
                    if (repartitioned != null) {
                        applyRepartitioned(repartitioned, r);
                    } else {
                        applySource(r);
                    }
                }
                openOffsets.put(tp, new OffsetAndMetadata(batch.get(batch.size() - 1).offset() + 1));
                metrics.recordsIn.addAndGet(batch.size());
            }
        } catch (RuntimeException e) {
            abort(e);
            throw e;
        }
        return bytes;
    }

    /**
     * Sends what the open transaction changed (beginning one if none is open, for progress alone), its progress
     * markers and consumed offsets, and commits it; then the tasks apply it to their stores.
     */
    private void commitOpen(long now) {
        beginIfNone();
        try {
            advancePositions(now);
            for (TablePartitionState t : tables.values()) {
                t.flush(producer, errors);
            }
            for (ViewPartitionTask t : tasks.values()) {
                t.flush(producer, now, errors);
            }
            // the markers go out with the changes, not after their acknowledgements (ProgressMarker#changes): the
            // commit waits for three round trips (offset commit, produce, EndTxn; the producer sends no records
            // while a transactional request is in flight), not four
            for (ViewPartitionTask t : tasks.values()) {
                ProgressMarker m = t.progressMarker(now);
                producer.send(new ProducerRecord<>(progressTopic, 0, m.key(), m.toJson()), errors.callback());
            }
            if (!openOffsets.isEmpty()) {
                producer.sendOffsetsToTransaction(openOffsets, consumer.groupMetadata());
            }
            producer.commitTransaction(); // sends the rest and waits for every acknowledgement first
            failIfSendFailed();
        } catch (RuntimeException e) {
            abort(e);
            throw e;
        }
        inTransaction = false;
        openOffsets.clear();
        for (TablePartitionState t : tables.values()) {
            t.committed();
        }
        List<CommittedPartition> handoff = listener == null ? null : new ArrayList<>(tasks.size());
        for (ViewPartitionTask t : tasks.values()) {
            CommittedPartition c = handoff == null ? null : t.committedChanges();
            if (c != null) {
                handoff.add(c);
            }
            t.committed();
        }
        if (handoff != null) {
            handOff(handoff);
        }
        lastProgressMs = now;
        metrics.transactions.incrementAndGet();
        current = 1 - current; // the next transaction goes to the producer whose markers are long written
        producer = producers[current];
    }

    /** Tells the listener the task's view partition is no longer written here (after its last hand-over). */
    private void released(ViewPartitionTask t) {
        if (listener == null) {
            return;
        }
        try {
            listener.released(t.view().changeTopic(), t.partition());
        } catch (RuntimeException e) {
            LOG.warn("the commit listener failed; its readers notice the release later: {}", e.toString());
        }
    }

    private void handOff(List<CommittedPartition> committed) {
        try {
            listener.committed(committed);
        } catch (RuntimeException e) {
            // the listener's readers also follow the change topics: they lose time, not data
            LOG.warn("the commit listener failed; its readers catch up from the change topics: {}", e.toString());
        }
    }

    private void failIfSendFailed() {
        Exception e = errors.failure();
        if (e != null) {
            throw new org.apache.kafka.common.KafkaException("a send of this transaction failed: " + e.getMessage(), e);
        }
    }

    private void abort(RuntimeException cause) {
        inTransaction = false;
        openOffsets.clear();
        metrics.aborts.incrementAndGet();
        for (TablePartitionState t : tables.values()) {
            t.aborted();
        }
        for (ViewPartitionTask t : tasks.values()) {
            t.aborted();
        }
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Stage 1 of every view over this record's source: decode once; for a table, swap in the key's new row and
     * take out the row it replaces; then retract the old row from and add the new row to every view (applied to a
     * co-partitioned task, or forwarded with its sign to the view's repartition topic).
     */
    private void applySource(ConsumerRecord<ByteBuffer, ByteBuffer> r) {
        SourceDefinition source = sourcesByTopic.get(r.topic());
        SourceDecoder.Change change;
        try {
            change = decodersByTopic.get(r.topic()).decode(r.key(), r.value());
        } catch (DecodeException e) {
            deadLetter(r, source.name(), null, e.getMessage());
            return;
        }
        if (change.skip()) {
            return;
        }
        Object[] before = change.before();
        Object[] after = change.after();
        if (source.table()) {
            before = tables.get(new TopicPartition(r.topic(), r.partition())).upsert(change.key(), after);
        }
        for (ViewRuntime v : viewsBySourceTopic.get(r.topic())) {
            if (before != null) {
                emit(v, source, r, before, -1);
            }
            if (after != null) {
                emit(v, source, r, after, 1);
            }
        }
    }

    /** One row (sign +1) or retraction (-1) for one view. Rows that fail evaluation were never added either. */
    private void emit(ViewRuntime v, SourceDefinition source, ConsumerRecord<ByteBuffer, ByteBuffer> r,
                      Object[] row, int sign) {
        try {
            if (!v.plan().filter(row)) {
                return;
            }
            Object[] key = v.plan().groupKey(row);
            int partition = Partitions.forKey(v.plan().groupKeyTypes(), key, v.partitions());
            if (v.copartitioned()) {
                if (partition != r.partition()) {
                    deadLetter(r, source.name(), v.name(), "record is in partition " + r.partition()
                            + " but its key " + java.util.Arrays.toString(key) + " belongs to partition "
                            + partition + ": the topic's records must be keyed by "
                            + v.plan().schema().keyColumnNames() + " as the source's key option says");
                    return;
                }
                task(v, partition).apply(row, key, sign);
            } else {
                byte[] value = RowCodec.encode(source.columns(), row);
                RecordHeaders h = new RecordHeaders();
                if (sign < 0) {
                    h.add(SIGN_HEADER, RETRACT);
                }
                producer.send(new ProducerRecord<>(v.repartitionTopic(), partition, KeyCodec.encode(
                        v.plan().groupKeyTypes(), key), value, h), errors.callback());
            }
        } catch (RuntimeException e) {
            if (sign > 0) {
                deadLetter(r, source.name(), v.name(), "cannot evaluate view '" + v.name() + "': " + e.getMessage());
            }
        }
    }

    /** Stage 2: a re-keyed row (or a stage-1 position marker) for the task of its partition. */
    private void applyRepartitioned(ViewRuntime v, ConsumerRecord<ByteBuffer, ByteBuffer> r) {
        TaskId id = new TaskId(v.name(), r.partition());
        ViewPartitionTask task = tasks.get(id);
        Header marker = r.headers().lastHeader(MARKER_HEADER);
        if (marker != null) {
            // "sourcePartition,nextOffset,asOfMs"
            String[] f = new String(marker.value(), StandardCharsets.UTF_8).split(",");
            int sp = Integer.parseInt(f[0]);
            task.advance(Position.of(v.sourceTopic(), sp, Long.parseLong(f[1])), 0);
            markerAsOf.get(id)[sp] = Math.max(markerAsOf.get(id)[sp], Long.parseLong(f[2]));
            return;
        }
        try {
            Object[] row = RowCodec.decode(v.plan().source().columns(), Utils.toNullableArray(r.value()));
            Header sign = r.headers().lastHeader(SIGN_HEADER);
            task.apply(row, v.plan().groupKey(row), sign != null && sign.value().length == 1
                    && sign.value()[0] == '-' ? -1 : 1);
        } catch (RuntimeException e) {
            deadLetter(r, v.plan().source().name(), v.name(), "cannot apply re-keyed row: " + e.getMessage());
        }
    }

    /** Sets each task's source position and as-of, and tells stage-2 tasks where stage 1 stands. */
    private void advancePositions(long now) {
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            boolean caughtUp = lag.isPresent() && lag.getAsLong() == 0;
            ViewRuntime repartitioned = viewsByRepartitionTopic.get(tp.topic());
            if (repartitioned != null) {
                if (caughtUp) {
                    TaskId id = new TaskId(repartitioned.name(), tp.partition());
                    long min = Long.MAX_VALUE;
                    for (long a : markerAsOf.get(id)) {
                        min = Math.min(min, a);
                    }
                    tasks.get(id).caughtUp(min);
                }
                continue;
            }
            if (caughtUp) {
                sourceAsOf.put(tp, now);
            }
            long asOf = sourceAsOf.getOrDefault(tp, 0L);
            long next = consumer.position(tp);
            for (ViewRuntime v : viewsBySourceTopic.get(tp.topic())) {
                if (v.copartitioned()) {
                    task(v, tp.partition()).advance(Position.of(tp.topic(), tp.partition(), next), asOf);
                } else {
                    RecordHeaders h = new RecordHeaders();
                    h.add(MARKER_HEADER, (tp.partition() + "," + next + "," + asOf).getBytes(StandardCharsets.UTF_8));
                    for (int q = 0; q < v.partitions(); q++) {
                        producer.send(new ProducerRecord<byte[], byte[]>(v.repartitionTopic(), q, (byte[]) null, (byte[]) null, h),
                                errors.callback());
                    }
                }
            }
        }
    }

    private ViewPartitionTask task(ViewRuntime v, int partition) {
        ViewPartitionTask t = tasks.get(new TaskId(v.name(), partition));
        if (t == null) {
            throw new IllegalStateException("no task for view " + v.name() + " partition " + partition
                    + " (assigned: " + tasks.keySet() + ")");
        }
        return t;
    }

    private void deadLetter(ConsumerRecord<ByteBuffer, ByteBuffer> r, String source, String view, String reason) {
        RecordHeaders h = new RecordHeaders();
        h.add("sf.error", reason.getBytes(StandardCharsets.UTF_8));
        h.add("sf.source", source.getBytes(StandardCharsets.UTF_8));
        if (view != null) {
            h.add("sf.view", view.getBytes(StandardCharsets.UTF_8));
        }
        h.add("sf.topic", r.topic().getBytes(StandardCharsets.UTF_8));
        h.add("sf.partition", Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        h.add("sf.offset", Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(dlqTopic, null, Utils.toNullableArray(r.key()),
                Utils.toNullableArray(r.value()), h), errors.callback());
        metrics.deadLetters.incrementAndGet();
    }

    private void openTask(ViewRuntime v, int partition, Position initial) {
        TaskId id = new TaskId(v.name(), partition);
        if (tasks.containsKey(id)) {
            return;
        }
        Path dir = tasksDir.resolve(v.name() + "-" + partition);
        OptionalLong checkpoint = TaskStore.readCheckpoint(dir);
        if (checkpoint.isEmpty()) {
            TaskStore.wipe(dir); // no clean close: whatever is there may be ahead of what was committed
        }
        TaskStore store = TaskStore.open(dir);
        store.deleteCheckpoint();
        TopicPartition changelog = new TopicPartition(v.changelogTopic(), partition);
        TopicPartition change = new TopicPartition(v.changeTopic(), partition);
        Map<TopicPartition, Long> ends = restoreConsumer.endOffsets(List.of(changelog, change), Duration.ofSeconds(60));
        long restored = restore(store, changelog, checkpoint.orElse(0L), ends.get(changelog));
        tasks.put(id, new ViewPartitionTask(v, partition, store, initial, ends.get(change), ends.get(changelog),
                listener != null));
        if (!v.copartitioned()) {
            markerAsOf.put(id, new long[v.sourcePartitions()]);
        }
        LOG.info("task {}-{} ready ({} changelog records restored{})", v.name(), partition, restored,
                checkpoint.isPresent() ? " after a clean checkpoint" : "");
    }

    private void openTable(SourceDefinition source, TopicPartition tp) {
        if (tables.containsKey(tp)) {
            return;
        }
        Path dir = tasksDir.resolve("table-" + source.name() + "-" + tp.partition());
        OptionalLong checkpoint = TaskStore.readCheckpoint(dir);
        if (checkpoint.isEmpty()) {
            TaskStore.wipe(dir);
        }
        TaskStore store = TaskStore.open(dir);
        store.deleteCheckpoint();
        TopicPartition changelog = new TopicPartition(TablePartitionState.changelogTopic(config.appId(),
                source.name()), tp.partition());
        long end = restoreConsumer.endOffsets(List.of(changelog), Duration.ofSeconds(60)).get(changelog);
        long restored = restore(store, changelog, checkpoint.orElse(0L), end);
        tables.put(tp, new TablePartitionState(source, changelog.topic(), tp.partition(), store, end));
        LOG.info("table {}-{} ready ({} changelog records restored{})", source.name(), tp.partition(), restored,
                checkpoint.isPresent() ? " after a clean checkpoint" : "");
    }

    private long restore(TaskStore store, TopicPartition changelog, long from, long end) {
        if (from >= end) {
            return 0;
        }
        restoreConsumer.assign(List.of(changelog));
        restoreConsumer.seek(changelog, from);
        long n = 0;
        while (restoreConsumer.position(changelog) < end) {
            for (ConsumerRecord<byte[], byte[]> r : restoreConsumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= end) {
                    break;
                }
                if (r.value() == null) {
                    store.delete(r.key());
                } else {
                    store.put(r.key(), r.value());
                }
                n++;
            }
            store.commit();
        }
        restoreConsumer.unsubscribe();
        return n;
    }

    private void closeTasks(Collection<TopicPartition> partitions, boolean clean) {
        for (TopicPartition tp : partitions) {
            List<TaskId> ids = new ArrayList<>();
            ViewRuntime repartitioned = viewsByRepartitionTopic.get(tp.topic());
            if (repartitioned != null) {
                ids.add(new TaskId(repartitioned.name(), tp.partition()));
            } else {
                sourceAsOf.remove(tp);
                TablePartitionState table = tables.remove(tp);
                if (table != null) {
                    try {
                        table.close(clean);
                    } catch (RuntimeException e) {
                        LOG.warn("closing table state {}-{} failed", table.table(), table.partition(), e);
                    }
                }
                for (ViewRuntime v : viewsBySourceTopic.getOrDefault(tp.topic(), List.of())) {
                    if (v.copartitioned()) {
                        ids.add(new TaskId(v.name(), tp.partition()));
                    }
                }
            }
            for (TaskId id : ids) {
                ViewPartitionTask t = tasks.remove(id);
                markerAsOf.remove(id);
                if (t != null) {
                    closeQuietly(t, clean);
                    released(t);
                }
            }
        }
    }

    private void closeQuietly(ViewPartitionTask t, boolean clean) {
        try {
            t.close(clean);
        } catch (RuntimeException e) {
            LOG.warn("closing task {}-{} failed", t.view().name(), t.partition(), e);
        }
    }

    private void closeAll(boolean clean) {
        for (ViewPartitionTask t : tasks.values()) {
            closeQuietly(t, clean);
            released(t);
        }
        tasks.clear();
        for (TablePartitionState t : tables.values()) {
            try {
                t.close(clean);
            } catch (RuntimeException e) {
                LOG.warn("closing table state {}-{} failed", t.table(), t.partition(), e);
            }
        }
        tables.clear();
        markerAsOf.clear();
        sourceAsOf.clear();
        for (AutoCloseable c : new AutoCloseable[] {consumer, restoreConsumer, producers[0], producers[1]}) {
            if (c == null) {
                continue;
            }
            try {
                if (c instanceof KafkaProducer<?, ?> p) {
                    p.close(Duration.ofSeconds(10));
                } else if (c instanceof KafkaConsumer<?, ?> k) {
                    k.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
                }
            } catch (RuntimeException e) {
                LOG.debug("closing client failed", e);
            }
        }
        consumer = null;
        restoreConsumer = null;
        producers[0] = null;
        producers[1] = null;
        producer = null;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Opens tasks for assigned partitions and closes them cleanly when revoked (after committing the open
     * transaction, if a backlog drain was polling in one).
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                ViewRuntime repartitioned = viewsByRepartitionTopic.get(tp.topic());
                if (repartitioned != null) {
                    Position initial = Position.EMPTY;
                    for (int sp = 0; sp < repartitioned.sourcePartitions(); sp++) {
                        initial = initial.with(repartitioned.sourceTopic(), sp, 0);
                    }
                    openTask(repartitioned, tp.partition(), initial);
                    continue;
                }
                SourceDefinition source = sourcesByTopic.get(tp.topic());
                if (source != null && source.table()) {
                    openTable(source, tp);
                }
                for (ViewRuntime v : viewsBySourceTopic.getOrDefault(tp.topic(), List.of())) {
                    if (v.copartitioned()) {
                        openTask(v, tp.partition(), Position.of(tp.topic(), tp.partition(), consumer.position(tp)));
                    }
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inTransaction) {
                // revoked while a backlog drain polls: commit what was taken in while the generation still holds
                commitOpen(clock.millis());
            }
            closeTasks(partitions, true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            closeTasks(partitions, false);
        }
    }
}
