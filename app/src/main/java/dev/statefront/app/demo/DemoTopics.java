package dev.statefront.app.demo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Creates the demo's topics if absent ({@code orders}, and {@code customers} compacted) and fills
 * {@code customers} once, when it is empty.
 */
public final class DemoTopics {

    public static final String ORDERS = "orders";
    public static final String CUSTOMERS = "customers";

    private static final Logger log = LoggerFactory.getLogger(DemoTopics.class);
    private static final long TIMEOUT_MS = 30_000;

    private DemoTopics() {
    }

    /**
     * Ensures both topics exist and the customers are loaded.
     *
     * @param bootstrapServers Kafka to use; never {@code null}
     * @param adminOverrides extra admin client settings; never {@code null}
     * @param producerOverrides extra producer settings; never {@code null}
     * @param partitions partitions of each topic, when created
     * @param replicationFactor replication factor of each topic, when created
     * @throws DemoException if Kafka does not answer in time or refuses
     */
    public static void ensure(String bootstrapServers, Map<String, Object> adminOverrides,
                              Map<String, Object> producerOverrides, int partitions, short replicationFactor) {
        Map<String, Object> adminProps = new HashMap<>(adminOverrides);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(adminProps)) {
            create(admin, new NewTopic(ORDERS, partitions, replicationFactor));
            create(admin, new NewTopic(CUSTOMERS, partitions, replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            if (isEmpty(admin, CUSTOMERS)) {
                loadCustomers(bootstrapServers, producerOverrides);
            }
        } catch (ExecutionException e) {
            throw new DemoException("cannot set up demo topics on " + bootstrapServers + ": " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new DemoException("cannot set up demo topics on " + bootstrapServers + ": no answer in "
                    + TIMEOUT_MS + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted while setting up demo topics", e);
        }
    }

    private static void create(Admin admin, NewTopic topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            log.info("Created demo topic '{}' ({} partitions)", topic.name(), topic.numPartitions());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** Whether every partition's end offset is 0; retries while a just-created topic gets its leaders. */
    private static boolean isEmpty(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(topic);
                Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
                        .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()),
                                p -> OffsetSpec.latest()));
                return admin.listOffsets(latest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).values().stream()
                        .allMatch(info -> info.offset() == 0);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void loadCustomers(String bootstrapServers, Map<String, Object> producerOverrides) {
        Map<String, Object> props = new HashMap<>(producerOverrides);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT_MS);
        List<ObjectNode> customers = DemoData.customers();
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (ObjectNode c : customers) {
                producer.send(new ProducerRecord<>(CUSTOMERS, c.get("customer_id").asText(), DemoData.toJson(c)));
            }
            producer.flush();
        } catch (RuntimeException e) {
            throw new DemoException("cannot load demo customers into '" + CUSTOMERS + "': " + e.getMessage(), e);
        }
        log.info("Loaded {} demo customers into '{}'", customers.size(), CUSTOMERS);
    }
}
