package dev.statefront.app.demo;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A steady trickle of demo orders into the {@code orders} topic, keyed by customer id, at a fixed
 * rate until closed. Orders look like
 * {@code {"order_id":"o-lq2x1c-42","customer_id":"c-17","region":"eu-west","amount_cents":12345,
 * "status":"placed","ts":1700000000042}}.
 */
public final class DemoWorkload implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoWorkload.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, Object> producerProps;
    private final int ordersPerSecond;
    private final Clock clock;
    private final Random random;
    private final String idPrefix;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile ScheduledExecutorService scheduler;
    private volatile KafkaProducer<String, String> producer;

    /**
     * @param bootstrapServers Kafka to produce to; never {@code null}
     * @param producerOverrides extra producer settings (security, tuning); never {@code null}
     * @param ordersPerSecond the rate, at least 1
     * @param clock the source of order timestamps; never {@code null}
     */
    public DemoWorkload(String bootstrapServers, Map<String, Object> producerOverrides, int ordersPerSecond,
                        Clock clock) {
        if (ordersPerSecond < 1) {
            throw new IllegalArgumentException("ordersPerSecond must be at least 1, got " + ordersPerSecond);
        }
        this.producerProps = new HashMap<>(producerOverrides);
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers));
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "statefront-demo-workload");
        this.ordersPerSecond = ordersPerSecond;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = new Random(clock.millis());
        // unique across restarts, short enough to read
        this.idPrefix = "o-" + Long.toString(clock.millis(), 36) + "-";
    }

    /** Starts producing; at most once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("demo workload already started");
        }
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-workload");
            t.setDaemon(true);
            return t;
        });
        long periodMicros = 1_000_000L / ordersPerSecond;
        scheduler.scheduleAtFixedRate(this::sendOne, 0, periodMicros, TimeUnit.MICROSECONDS);
        log.info("Demo workload producing {} orders/s into '{}'", ordersPerSecond, DemoTopics.ORDERS);
    }

    private void sendOne() {
        try {
            ObjectNode order = DemoData.order(random, idPrefix + sequence.incrementAndGet(), clock.millis());
            producer.send(new ProducerRecord<>(DemoTopics.ORDERS, order.get("customer_id").asText(),
                    DemoData.toJson(order)), (metadata, error) -> {
                if (error == null) {
                    acknowledged.incrementAndGet();
                } else if (failed.incrementAndGet() % 100 == 1) {
                    log.warn("Demo order not produced ({} failures so far): {}", failed.get(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            // never let an exception cancel the schedule
            if (failed.incrementAndGet() % 100 == 1) {
                log.warn("Demo order not produced ({} failures so far): {}", failed.get(), e.toString());
            }
        }
    }

    /** Orders acknowledged by Kafka so far. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Orders that failed so far. */
    public long failed() {
        return failed.get();
    }

    /** Stops producing and flushes what is in flight, bounded. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
        KafkaProducer<String, String> p = producer;
        if (p != null) {
            p.close(CLOSE_TIMEOUT);
            producer = null;
            log.info("Demo workload stopped after {} orders", acknowledged.get());
        }
    }
}
