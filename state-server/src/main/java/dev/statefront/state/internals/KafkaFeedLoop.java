package dev.statefront.state.internals;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Topics;
import dev.statefront.state.server.FeedBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
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
 * The state server's one Kafka consumer: manual assignment, {@code read_committed}, no consumer group. Reads the
 * catalog, the progress topic and the change topic of every view in the catalog (topics that do not exist yet
 * are looked up again after 50 ms, then less and less often, up to every second), seeks each partition to the
 * offset stored with the data, and hands every poll to the {@link Materializer} as one batch, holding back the
 * records of a transaction not yet read to its end (see {@link ChangeEventCodec#MORE_HEADER}). Partition-aware:
 * {@link #servesPartition} decides which view partitions are assigned (all of them today).
 */
public final class KafkaFeedLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaFeedLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration LOOKUP = Duration.ofSeconds(2);
    /**
     * A topic not there yet is looked up again after this long, then after twice as long each time up to
     * {@link #MAX_LOOKUP_INTERVAL_MS}. At start-up the processor usually creates the topics a moment after the
     * state server first looks: the first rows wait for the next lookup.
     */
    private static final long MIN_LOOKUP_INTERVAL_MS = 50;
    private static final long MAX_LOOKUP_INTERVAL_MS = 1000;
    /**
     * A view partition whose transactions a processor in this process handed over within this time is not fetched.
     * Under a backlog a transaction takes a few seconds; idle, the processor still hands over its progress commits
     * every {@code processor.progress.interval.ms}. A partition the processor stops writing (it stopped, or the
     * partition moved to another instance) is handed back at once ({@link Materializer#handedBack}); this window
     * only bounds how long a processor that stops without saying so (say, a full hand-over queue) keeps it paused.
     */
    static final long HANDED_OVER_WINDOW_MS = 10_000;

    private final Materializer materializer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String catalogTopic;
    private final String progressTopic;
    private final Runnable onRestored;
    private final BooleanSupplier stopping;
    private final Set<TopicPartition> assigned = new LinkedHashSet<>();
    private final Set<String> waitingTopics = new LinkedHashSet<>();
    private final Set<String> knownViewTopics = new HashSet<>();
    private final Map<TopicPartition, Long> lastPositions = new HashMap<>();
    private final Map<TopicPartition, Long> restoreTargets = new HashMap<>();
    /**
     * Per view change partition: records read after the last complete transaction, held back until the rest of
     * their transaction is read, so a reader never sees half of what one transaction changed.
     */
    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> held = new HashMap<>();
    private volatile long viewRecordsRead;
    private volatile int pausedViewPartitions;
    private boolean restoring = true;
    private boolean catalogLookedUp;
    private long lastLookupMs;
    private long lookupIntervalMs = MIN_LOOKUP_INTERVAL_MS;

    /**
     * A loop over a new consumer.
     *
     * @param materializer where batches go
     * @param appId the application id
     * @param consumerProps consumer settings (bootstrap servers and overrides); fixed settings are added here
     * @param onRestored called once, on the loop thread, when the catalog and every change partition known at
     *     start have been read up to their end offsets
     * @param stopping true once the loop must end
     */
    public KafkaFeedLoop(Materializer materializer, String appId, Map<String, Object> consumerProps,
                         Runnable onRestored, BooleanSupplier stopping) {
        this.materializer = materializer;
        this.catalogTopic = Topics.catalog(appId);
        this.progressTopic = Topics.progress(appId);
        this.onRestored = onRestored;
        this.stopping = stopping;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, appId + "-state-server");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a change topic must be created by the processor with its partition count, never by us with one partition
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.putAll(consumerProps);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props);
        waitingTopics.add(catalogTopic);
        waitingTopics.add(progressTopic);
        for (CatalogEntry v : materializer.viewEntries()) {
            knownViewTopics.add(v.topic());
            waitingTopics.add(v.topic());
        }
    }

    /** Whether this server serves a view partition; all partitions for now (a later issue serves a subset). */
    boolean servesPartition(String view, int partition) {
        return true;
    }

    /** Interrupts a blocking poll so the loop sees {@code stopping}. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            while (!stopping.getAsBoolean()) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke us; the loop condition decides
                } catch (KafkaException e) {
                    if (stopping.getAsBoolean()) {
                        break;
                    }
                    LOG.warn("state server consumer failed ({}); retrying in 1 s from the stored offsets of {}",
                            e.toString(), assigned);
                    sleep(1000);
                    try {
                        seekToStored();
                    } catch (RuntimeException again) {
                        LOG.warn("cannot seek back to the stored offsets yet: {}", again.toString());
                    }
                }
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("closing the state server consumer failed: {}", e.toString());
            }
        }
    }

    private void step() {
        long now = System.currentTimeMillis();
        if (!waitingTopics.isEmpty() && now - lastLookupMs >= lookupIntervalMs) {
            lastLookupMs = now;
            assignWaitingTopics();
            lookupIntervalMs = Math.min(MAX_LOOKUP_INTERVAL_MS, lookupIntervalMs * 2);
        }
        if (assigned.isEmpty()) {
            maybeFinishRestore();
            // until the next lookup, or for a poll's time
            sleep(Math.max(1, Math.min(POLL.toMillis(), lastLookupMs + lookupIntervalMs - System.currentTimeMillis())));
            return;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        FeedBatch batch = new FeedBatch();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> polled = records.records(tp);
            if (!knownViewTopics.contains(tp.topic())) {
                polled.forEach(r -> batch.add(r.topic(), r.partition(), r.offset(), r.key(), r.value()));
                continue;
            }
            viewRecordsRead += polled.size();
            List<ConsumerRecord<byte[], byte[]>> part = held.remove(tp);
            if (part == null) {
                part = polled;
            } else {
                part.addAll(polled);
            }
            int complete = completeUpTo(part);
            for (int i = 0; i < complete; i++) {
                ConsumerRecord<byte[], byte[]> r = part.get(i);
                batch.add(r.topic(), r.partition(), r.offset(), r.key(), r.value());
            }
            if (complete < part.size()) {
                held.put(tp, new ArrayList<>(part.subList(complete, part.size())));
            }
        }
        for (TopicPartition tp : assigned) {
            List<ConsumerRecord<byte[], byte[]>> waiting = held.get(tp);
            // the store's offset stays at the first record of an incomplete transaction, so a restart reads it again
            long pos = waiting == null ? consumer.position(tp) : waiting.get(0).offset();
            Long last = lastPositions.put(tp, pos);
            if (last == null || last != pos) {
                batch.advance(tp.topic(), tp.partition(), pos);
            }
        }
        materializer.apply(batch);
        followHandOvers();
        boolean newViews = false;
        for (CatalogEntry v : materializer.viewEntries()) {
            if (knownViewTopics.add(v.topic())) {
                waitingTopics.add(v.topic());
                newViews = true;
            }
        }
        if (newViews) {
            lastLookupMs = System.currentTimeMillis();
            lookupIntervalMs = MIN_LOOKUP_INTERVAL_MS;
            assignWaitingTopics();
        }
        maybeFinishRestore();
    }

    /**
     * Follows what a processor in the same process handed to {@link Materializer#applyCommitted} directly. Per view
     * partition: held records those transactions covered are dropped and the consumer seeks past what was applied,
     * so nothing is read twice; and while its transactions arrive that way, the partition is paused, so the change
     * topic is not even fetched. It is fetched again, from the applied offset, as soon as a hand-over there is
     * refused or lost, the processor hands the partition back, or none has come for {@link #HANDED_OVER_WINDOW_MS}.
     * A partition with held records of an unfinished transaction is never paused.
     */
    private void followHandOvers() {
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : assigned) {
            if (!knownViewTopics.contains(tp.topic())) {
                continue;
            }
            long applied = materializer.nextOffsetOfTopic(tp.topic(), tp.partition());
            List<ConsumerRecord<byte[], byte[]>> waiting = held.get(tp);
            if (waiting != null) {
                waiting.removeIf(r -> r.offset() < applied);
                if (waiting.isEmpty()) {
                    held.remove(tp);
                }
            }
            if (!held.containsKey(tp) && applied > consumer.position(tp)) {
                consumer.seek(tp, applied);
                lastPositions.put(tp, applied);
            }
            boolean handedOver = !held.containsKey(tp)
                    && materializer.handedOverWithin(tp.topic(), tp.partition(), HANDED_OVER_WINDOW_MS);
            if (handedOver && !paused.contains(tp)) {
                pause.add(tp);
            } else if (!handedOver && paused.contains(tp)) {
                resume.add(tp);
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        pausedViewPartitions = consumer.paused().size(); // the feed pauses nothing else
    }

    /** View change partitions not fetched now, because a processor in this process hands their commits over. */
    public int pausedViewPartitions() {
        return pausedViewPartitions;
    }

    /** Records read from view change topics so far (what the processor handed over is not read). */
    public long viewRecordsRead() {
        return viewRecordsRead;
    }

    /**
     * How many leading records form complete transactions: up to and including the last record without
     * {@link ChangeEventCodec#MORE_HEADER} (0 if every record says more of its transaction follows).
     */
    static int completeUpTo(List<ConsumerRecord<byte[], byte[]>> records) {
        for (int i = records.size() - 1; i >= 0; i--) {
            if (records.get(i).headers().lastHeader(ChangeEventCodec.MORE_HEADER) == null) {
                return i + 1;
            }
        }
        return 0;
    }

    private void assignWaitingTopics() {
        Map<String, CatalogEntry> viewsByTopic = new HashMap<>();
        materializer.viewEntries().forEach(v -> viewsByTopic.put(v.topic(), v));
        Map<TopicPartition, Long> added = new java.util.LinkedHashMap<>();
        Set<String> found = new HashSet<>();
        // one metadata request for every topic: asking for a topic that does not exist yet one at a time can take
        // the whole lookup timeout
        Map<String, List<PartitionInfo>> topics;
        try {
            topics = consumer.listTopics(LOOKUP);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debug("cannot list topics yet: {}", e.getMessage());
            return;
        }
        catalogLookedUp = true;
        for (String topic : List.copyOf(waitingTopics)) {
            List<PartitionInfo> infos = topics.get(topic);
            if (infos == null || infos.isEmpty()) {
                continue;
            }
            found.add(topic);
            CatalogEntry view = viewsByTopic.get(topic);
            for (PartitionInfo info : infos) {
                int p = info.partition();
                if (view != null && (p >= view.partitions() || !servesPartition(view.name(), p))) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic, p);
                if (!assigned.contains(tp)) {
                    added.put(tp, storedOffset(tp, view));
                }
            }
        }
        if (added.isEmpty()) {
            waitingTopics.removeAll(found);
            return;
        }
        // look the end offsets up before changing anything, so a timeout here leaves the topics waiting
        Map<TopicPartition, Long> ends = restoring ? consumer.endOffsets(added.keySet(), LOOKUP) : Map.of();
        waitingTopics.removeAll(found);
        assigned.addAll(added.keySet());
        consumer.assign(List.copyOf(assigned));
        added.forEach((tp, offset) -> {
            consumer.seek(tp, offset);
            lastPositions.put(tp, offset);
        });
        ends.forEach((tp, end) -> {
            if (!tp.topic().equals(progressTopic)) {
                restoreTargets.put(tp, end);
            }
        });
        LOG.info("state server now reads {} (seeked to {})", added.keySet(), added.values());
    }

    private long storedOffset(TopicPartition tp, CatalogEntry view) {
        if (tp.topic().equals(catalogTopic)) {
            return materializer.catalogNextOffset();
        }
        if (tp.topic().equals(progressTopic)) {
            return materializer.progressResumeOffset();
        }
        return view == null ? 0 : materializer.nextOffset(view.name(), tp.partition());
    }

    /**
     * After a failed step, records may have been polled but not applied: go back to what the store holds.
     * Markers read again are folded idempotently.
     */
    private void seekToStored() {
        Map<String, CatalogEntry> viewsByTopic = new HashMap<>();
        materializer.viewEntries().forEach(v -> viewsByTopic.put(v.topic(), v));
        held.clear();
        for (TopicPartition tp : assigned) {
            long offset = storedOffset(tp, viewsByTopic.get(tp.topic()));
            consumer.seek(tp, offset);
            lastPositions.put(tp, offset);
        }
    }

    /**
     * Restored once the catalog topic has been looked up (it may not exist yet) and every partition assigned
     * while restoring has been read up to its end offset at assignment; view topics that do not exist yet do not
     * hold up the start.
     */
    private void maybeFinishRestore() {
        if (!restoring || !catalogLookedUp) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> t : restoreTargets.entrySet()) {
            Long pos = lastPositions.get(t.getKey());
            if (pos == null || pos < t.getValue()) {
                return;
            }
        }
        restoring = false;
        restoreTargets.clear();
        LOG.info("state server restored: views {}, reading {}", materializer.viewEntries().stream()
                .map(CatalogEntry::name).toList(), assigned);
        onRestored.run();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }
}
