package dev.statefront.tests.support;

import dev.statefront.core.Position;
import dev.statefront.testkit.Order;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing test orders (and deliberately bad records) to a real broker, tracking the positions written. */
public final class Orders implements AutoCloseable {
    /** The source over topic {@code orders}, keyed by customer; tests add the views they need. */
    public static final String SOURCE_SQL = """
            CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, region VARCHAR,
                                  amount_cents BIGINT, status VARCHAR, ts TIMESTAMP)
              WITH (topic = 'orders', format = 'json', timestamp = 'ts', key = 'customer_id');
            """;
    public static final String DEMO_SQL = SOURCE_SQL + """
            CREATE MATERIALIZED VIEW customer_stats AS
              SELECT customer_id, COUNT(*) AS order_count, SUM(amount_cents) AS total_cents,
                     MAX(amount_cents) AS max_cents, MAX(ts) AS last_ts
              FROM orders WHERE status = 'placed' GROUP BY customer_id;
            CREATE MATERIALIZED VIEW region_status AS
              SELECT region, status, COUNT(*) AS n, AVG(amount_cents) AS avg_cents
              FROM orders GROUP BY region, status;
            """;

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private Position position = Position.EMPTY;
    /** The first send that failed: its order is in the caller's oracle but not in the topic. */
    private Exception failed;

    public Orders(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.topic = topic;
    }

    /** Creates the topic with the given partitions. */
    public static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(java.util.List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** Sends an order keyed by its customer. */
    public void send(Order o) {
        sendRaw(o.customerId(), o.toJson());
    }

    /**
     * Sends any value with a key. Not synchronized: a send blocked on a full producer buffer must not hold the lock
     * the callbacks take, or the producer's I/O thread could never complete the batches that free the buffer.
     */
    public void sendRaw(String key, String value) {
        producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
            synchronized (this) {
                if (e == null) {
                    position = position.with(md.topic(), md.partition(), md.offset() + 1);
                } else if (failed == null) {
                    failed = e;
                }
            }
        });
    }

    /**
     * Waits for every send and returns the position after all of them. The producer's flush returns once every
     * send's callback has run, so the callbacks' record of failures is complete here.
     *
     * @throws ExecutionException if any send failed, so a test never compares a view with an oracle holding orders
     *     the topic does not
     */
    public Position flush() throws ExecutionException, InterruptedException {
        producer.flush();
        synchronized (this) {
            if (failed != null) {
                throw new ExecutionException("an order was not written to " + topic, failed);
            }
            return position;
        }
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
