package dev.statefront.app.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class EmbeddedKafkaTest {

    @TempDir
    Path tmp;

    @Test
    void shouldRunTransactionsOnOneNodeAndKeepDataAcrossRestart() throws Exception {
        Path dir = tmp.resolve("kafka");
        int port;
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir, 0, 0)) {
            kafka.start();
            port = kafka.port();
            assertEquals(EmbeddedKafka.State.RUNNING, kafka.state());
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
            assertTrue(Files.exists(dir.resolve("meta.properties")));

            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic("events", 2, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka)) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + i, "committed-" + i));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + i, "aborted-" + i));
                }
                producer.flush();
                producer.abortTransaction();
            }
            List<String> values = readCommitted(kafka, "events", 10);
            assertEquals(10, values.size(), values.toString());
            assertTrue(values.stream().allMatch(v -> v.startsWith("committed-")), values.toString());
        }

        // a new broker on the same directory and client port (another controller port) keeps topics and records
        try (EmbeddedKafka again = new EmbeddedKafka(dir, port, 0)) {
            again.start();
            assertEquals("127.0.0.1:" + port, again.bootstrapServers());
            try (Admin admin = admin(again)) {
                assertTrue(admin.listTopics().names().get().contains("events"));
            }
            List<String> values = readCommitted(again, "events", 10);
            assertEquals(10, values.size(), values.toString());
            assertTrue(values.stream().allMatch(v -> v.startsWith("committed-")), values.toString());
        }
    }

    @Test
    void shouldFailFastNamingThePortWhenItIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            long started = System.nanoTime();
            EmbeddedKafka kafka = new EmbeddedKafka(tmp.resolve("kafka"), port, 0);
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, kafka::start);
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 10);
            assertEquals(EmbeddedKafka.State.STOPPED, kafka.state());
            kafka.close(); // idempotent after a failed start
        }
    }

    @Test
    void shouldRefuseADataDirectoryInUseByAnotherBroker() {
        Path dir = tmp.resolve("kafka");
        try (EmbeddedKafka first = new EmbeddedKafka(dir, 0, 0)) {
            first.start();
            EmbeddedKafka second = new EmbeddedKafka(dir, 0, 0);
            long started = System.nanoTime();
            EmbeddedKafkaException e = assertThrows(EmbeddedKafkaException.class, second::start);
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30);
            assertEquals(EmbeddedKafka.State.STOPPED, second.state());
        }
    }

    @Test
    void shouldRejectASecondStartAndAnswersBeforeStart() {
        EmbeddedKafka kafka = new EmbeddedKafka(tmp.resolve("kafka"), 0, 0);
        assertThrows(IllegalStateException.class, kafka::bootstrapServers);
        kafka.close();
        assertThrows(IllegalStateException.class, kafka::start);
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readCommitted(EmbeddedKafka kafka, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            // a little longer, to catch records that should not be there (the aborted ones)
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
