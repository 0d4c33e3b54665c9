package dev.statefront.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.statefront.app.config.StatefrontConfig;
import dev.statefront.app.demo.DemoData;
import dev.statefront.app.demo.DemoTopics;

@Timeout(180)
class StatefrontServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BAD_SQL = "CREATE MATERIALIZED VIEW v AS SELECT id FROM no_such_source;";

    @TempDir
    Path tmp;

    private StatefrontConfig config(String... extra) {
        List<String> sets = new ArrayList<>(List.of("data.dir=" + tmp.resolve("data"), "embedded.kafka.port=0",
                "rest.port=0", "grpc.port=0", "rest.host=127.0.0.1", "roles=state-server,gateway",
                "demo.orders.per.second=200"));
        sets.addAll(List.of(extra));
        return StatefrontConfig.load(null, Map.of(), sets);
    }

    @Test
    void shouldSetUpDemoTopicsAndProduceOrdersOnEmbeddedKafkaAcrossRestarts() throws Exception {
        StatefrontConfig config = config();
        try (StatefrontServer server = new StatefrontServer(config, null, true, Clock.systemUTC())) {
            server.start();
            assertEquals(StatefrontServer.State.RUNNING, server.state());
            assertTrue(server.embedded());
            assertTrue(server.restPort().orElseThrow() > 0);

            List<JsonNode> customers = readAll(server.bootstrapServers(), DemoTopics.CUSTOMERS, DemoData.CUSTOMER_COUNT);
            assertEquals(DemoData.CUSTOMER_COUNT, customers.size());

            List<JsonNode> orders = readAll(server.bootstrapServers(), DemoTopics.ORDERS, 20);
            assertTrue(orders.size() >= 20, "orders flow: " + orders.size());
            JsonNode order = orders.get(0);
            assertTrue(order.get("order_id").asText().startsWith("o-"), order.toString());
            assertTrue(order.get("amount_cents").isIntegralNumber() && order.get("ts").isIntegralNumber());
        }

        // a restart on the same data dir keeps the topics and does not load the customers twice
        try (StatefrontServer again = new StatefrontServer(config, null, true, Clock.systemUTC())) {
            again.start();
            List<JsonNode> customers = readAll(again.bootstrapServers(), DemoTopics.CUSTOMERS, DemoData.CUSTOMER_COUNT);
            assertEquals(DemoData.CUSTOMER_COUNT, customers.size());
        }
    }

    @Test
    void shouldFailStartUpNamingTheBusyKafkaPortAndTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            StatefrontConfig config = config("embedded.kafka.port=" + taken.getLocalPort());
            StatefrontServer server = new StatefrontServer(config, null, true, Clock.systemUTC());
            StatefrontServer.StartupException e = assertThrows(StatefrontServer.StartupException.class, server::start);
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("embedded.kafka.port"), e.getMessage());
            assertEquals(StatefrontServer.State.STOPPED, server.state());
        }
    }

    @Test
    void shouldFailStartUpOnBadSqlBeforeStartingTheEmbeddedBroker() {
        StatefrontConfig config = config("roles=state-server,processor");
        StatefrontServer server = new StatefrontServer(config, BAD_SQL, false, Clock.systemUTC());
        StatefrontServer.StartupException e = assertThrows(StatefrontServer.StartupException.class, server::start);
        assertTrue(e.getMessage().startsWith("cannot start processor: "), e.getMessage());
        assertTrue(e.getMessage().contains("no_such_source"), e.getMessage());
        assertFalse(server.embedded(), "the broker was started for a script that cannot run");
        assertEquals(StatefrontServer.State.STOPPED, server.state());
    }

    @Test
    void shouldStopTheStateServerStartedWhileBadSqlWasPlanned() throws Exception {
        String appId = "bad-sql-" + UUID.randomUUID();
        try (ServerSocket nothing = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            // a Kafka address nobody answers on: the state server starts (it connects in the background) while the
            // SQL is planned, and must be stopped again when the plan fails
            StatefrontConfig config = config("roles=state-server,processor", "app.id=" + appId,
                    "kafka.bootstrap.servers=127.0.0.1:" + nothing.getLocalPort());
            StatefrontServer server = new StatefrontServer(config, BAD_SQL, false, Clock.systemUTC());
            StatefrontServer.StartupException e = assertThrows(StatefrontServer.StartupException.class, server::start);
            assertTrue(e.getMessage().startsWith("cannot start processor: "), e.getMessage());
            assertTrue(e.getMessage().contains("no_such_source"), e.getMessage());
            assertEquals(StatefrontServer.State.STOPPED, server.state());
        }
        List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.contains(appId)).toList();
        assertEquals(List.of(), left, "threads of the state server still running");
    }

    private static List<JsonNode> readAll(String bootstrap, String topic, int atLeast) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(JSON.readTree(r.value()));
                }
            }
            if (topic.equals(DemoTopics.CUSTOMERS)) {
                // make sure nothing beyond the expected count is there
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(JSON.readTree(r.value()));
                }
            }
        }
        return values;
    }
}
