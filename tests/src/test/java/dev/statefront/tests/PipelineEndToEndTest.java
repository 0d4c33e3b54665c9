package dev.statefront.tests;

import static dev.statefront.tests.support.RestClient.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.core.Topics;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.Pipeline;
import dev.statefront.tests.support.RestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline in one JVM against a real KRaft broker: 100,000 seeded orders (plus bad records) →
 * processor → change topics → state server (RocksDB) → REST. Every row of both demo views is compared with
 * an oracle computed independently from the same orders.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineEndToEndTest {
    private static final int ORDERS = 100_000;
    private static final int MALFORMED = 7;
    private static final int WRONG_TYPES = 5;

    @TempDir
    static Path dir;
    private EmbeddedKafka kafka;
    private ProcessorServer processor;
    private StateServer stateServer;
    private GatewayServer gateway;
    private RestClient rest;
    private Pipeline pipeline;
    private Oracle oracle;
    /** Oracle of last_eu_order: the latest eu-west order per customer (same key = same partition = in order). */
    private final Map<String, dev.statefront.testkit.Order> lastEuOrder = new java.util.TreeMap<>();
    private static final String SQL = Orders.DEMO_SQL + """
            CREATE MATERIALIZED VIEW last_eu_order AS
              SELECT customer_id, order_id, amount_cents * 2 AS doubled, UPPER(status) AS status
              FROM orders WHERE region = 'eu-west';
            """;
    private Position produced;
    private int sent;

    @BeforeAll
    void startPipeline() throws Exception {
        pipeline = Pipeline.broker(dir);
        oracle = pipeline.oracle();
        produced = pipeline.produce(42, 20_000, ORDERS, this::afterEachOrder);
        pipeline.startRoles(dir, SQL, true /* change topics with embedded Connect schemas */);
        kafka = pipeline.kafka();
        processor = pipeline.processor();
        stateServer = pipeline.stateServer();
        gateway = pipeline.gateway();
        rest = pipeline.rest();
    }

    /** Per order: the last_eu_order oracle, and now and then a malformed or mistyped record. */
    private void afterEachOrder(dev.statefront.testkit.Order o, Orders orders) {
        int i = sent++;
        if (o.region().equals("eu-west")) {
            lastEuOrder.put(o.customerId(), o);
        }
        if (i % (ORDERS / MALFORMED) == 0 && i / (ORDERS / MALFORMED) < MALFORMED) {
            orders.sendRaw("c-3", "{\"order_id\": \"broken-" + i + "\", \"customer_id\": ");
        }
        if (i % (ORDERS / WRONG_TYPES) == 1) {
            orders.sendRaw("c-4", "{\"order_id\":\"bad-" + i + "\",\"customer_id\":\"c-4\",\"region\":\"eu-west\","
                    + "\"amount_cents\":\"a lot\",\"status\":\"placed\",\"ts\":1700000000000}");
        }
    }

    @AfterAll
    void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** Reads with min_position = everything produced, retrying while the view is behind (bounded). */
    private RestClient.Response readCaughtUp(String pathAndQuery) throws InterruptedException {
        String sep = pathAndQuery.contains("?") ? "&" : "?";
        String q = pathAndQuery + sep + "min_position=" + enc(produced.token()) + "&wait_ms=2000";
        long deadline = System.currentTimeMillis() + 180_000;
        RestClient.Response r;
        do {
            r = rest.get(q);
            if (r.status() != 503) {
                return r;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("view not caught up after 180 s: " + r.body());
    }

    private List<JsonNode> scanAll(String view, int pageSize, String extra) throws InterruptedException {
        List<JsonNode> rows = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String q = "/v1/views/" + view + "/rows?limit=" + pageSize + extra
                    + (cursor == null ? "" : "&cursor=" + enc(cursor));
            RestClient.Response r = readCaughtUp(q);
            assertEquals(200, r.status(), () -> r.body().toString());
            assertTrue(r.body().hasNonNull("position") && r.body().has("freshness"), "every read is stamped");
            r.body().get("rows").forEach(rows::add);
            JsonNode next = r.body().get("next_cursor");
            cursor = next == null || next.isNull() ? null : next.asText();
            pages++;
        } while (cursor != null && pages < 100_000);
        return rows;
    }

    @Test
    void shouldMatchOracleForEveryCustomerStatsRowInKeyOrderAcrossPages() throws Exception {
        Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
        List<JsonNode> rows = scanAll("customer_stats", 997, "");
        assertEquals(expected.size(), rows.size(), "row count");
        int i = 0;
        for (Oracle.CustomerStats e : expected.values()) {
            JsonNode row = rows.get(i++);
            assertEquals(e.customerId(), row.get("customer_id").asText(), "key order at row " + i);
            assertEquals(e.orderCount(), row.get("order_count").asLong(), e.customerId());
            assertEquals(e.totalCents(), row.get("total_cents").asLong(), e.customerId());
            assertEquals(e.maxCents(), row.get("max_cents").asLong(), e.customerId());
            assertEquals(JsonValues.formatTimestamp(e.lastTs()), row.get("last_ts").asText(), e.customerId());
        }
    }

    @Test
    void shouldMatchOracleForRegionStatusWithCompositeKeys() throws Exception {
        Map<String, Oracle.RegionStatus> expected = oracle.regionStatus();
        List<JsonNode> rows = scanAll("region_status", 5, "");
        assertEquals(expected.size(), rows.size());
        int i = 0;
        for (Oracle.RegionStatus e : expected.values()) {
            JsonNode row = rows.get(i++);
            assertEquals(e.region(), row.get("region").asText());
            assertEquals(e.status(), row.get("status").asText());
            assertEquals(e.n(), row.get("n").asLong());
            assertEquals(e.avgCents(), row.get("avg_cents").asDouble(), 0.0);
        }
        RestClient.Response one = readCaughtUp("/v1/views/region_status/rows/eu-west/placed");
        assertEquals(200, one.status(), () -> one.body().toString());
        assertEquals(expected.get("eu-west|placed").n(), one.body().get("row").get("n").asLong());
        List<JsonNode> euWest = scanAll("region_status", 100, "&prefix=eu-west");
        assertEquals(2, euWest.size(), "placed and cancelled for eu-west");
        List<JsonNode> eu = scanAll("region_status", 100, "&prefix=eu-");
        assertEquals(4, eu.size(), "two eu regions × two statuses");
    }

    @Test
    void shouldKeepTheLatestProjectedRowPerKeyForViewsWithoutGroupBy() throws Exception {
        List<JsonNode> rows = scanAll("last_eu_order", 1000, "");
        assertEquals(lastEuOrder.size(), rows.size());
        int i = 0;
        for (var e : lastEuOrder.entrySet()) {
            JsonNode row = rows.get(i++);
            assertEquals(e.getKey(), row.get("customer_id").asText());
            assertEquals(e.getValue().orderId(), row.get("order_id").asText(), e.getKey());
            assertEquals(e.getValue().amountCents() * 2, row.get("doubled").asLong());
            assertEquals(e.getValue().status().toUpperCase(java.util.Locale.ROOT), row.get("status").asText());
        }
    }

    @Test
    void shouldServePointLookupsBatchGetsPrefixesAndRanges() throws Exception {
        Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
        for (String key : List.of("c-1", "c-2", "c-17", "c-999")) {
            RestClient.Response r = readCaughtUp("/v1/views/customer_stats/rows/" + key);
            Oracle.CustomerStats e = expected.get(key);
            if (e == null) {
                assertEquals(404, r.status());
                continue;
            }
            assertEquals(200, r.status(), () -> r.body().toString());
            assertEquals("customer_stats", r.body().get("view").asText());
            assertEquals(e.orderCount(), r.body().get("row").get("order_count").asLong());
            assertTrue(r.body().get("freshness").has("lag_ms"));
            assertTrue(Position.fromToken(r.body().get("position").asText()).covers(Position.of("orders", 0, 0)));
        }
        assertEquals(404, readCaughtUp("/v1/views/customer_stats/rows/nobody").status());

        RestClient.Response batch = rest.post("/v1/views/customer_stats/rows:batchGet",
                "{\"keys\": [\"c-2\", \"nobody\", \"c-1\"]}");
        assertEquals(200, batch.status(), () -> batch.body().toString());
        JsonNode br = batch.body().get("rows");
        assertEquals(3, br.size());
        assertEquals(expected.get("c-2").orderCount(), br.get(0).get("row").get("order_count").asLong());
        assertFalse(br.get(1).get("found").asBoolean());
        assertEquals(expected.get("c-1").orderCount(), br.get(2).get("row").get("order_count").asLong());

        List<String> prefixExpected = expected.keySet().stream().filter(k -> k.startsWith("c-12")).toList();
        List<String> prefixActual = scanAll("customer_stats", 50, "&prefix=c-12").stream()
                .map(r -> r.get("customer_id").asText()).toList();
        assertEquals(prefixExpected, prefixActual);

        List<String> rangeExpected = expected.keySet().stream()
                .filter(k -> k.compareTo("c-3") >= 0 && k.compareTo("c-31") < 0).toList();
        List<String> rangeActual = scanAll("customer_stats", 64, "&from=c-3&to=c-31").stream()
                .map(r -> r.get("customer_id").asText()).toList();
        assertEquals(rangeExpected, rangeActual);
    }

    @Test
    void shouldDescribeViewsWithKeysTypesAndExactRowCounts() throws Exception {
        readCaughtUp("/v1/views/customer_stats/rows/c-1");
        RestClient.Response list = rest.get("/v1/views");
        assertEquals(200, list.status());
        assertTrue(list.body().toString().contains("customer_stats") && list.body().toString().contains("region_status"));
        RestClient.Response d = rest.get("/v1/views/customer_stats");
        assertEquals(200, d.status(), () -> d.body().toString());
        assertTrue(d.body().toString().contains("\"customer_id\""));
        assertTrue(d.body().toString().contains("BIGINT") && d.body().toString().contains("TIMESTAMP"));
        assertTrue(d.body().toString().contains(String.valueOf(oracle.customerStats().size())),
                "row count " + oracle.customerStats().size() + " in " + d.body());
    }

    @Test
    void shouldAnswerBadRequestsWithOneErrorShape() {
        RestClient.Response unknown = rest.get("/v1/views/nope/rows/x");
        assertEquals(404, unknown.status());
        assertEquals("NOT_FOUND", unknown.body().path("error").path("code").asText(), unknown.body().toString());
        RestClient.Response arity = rest.get("/v1/views/region_status/rows/only-one");
        assertEquals(400, arity.status(), arity.body().toString());
        assertFalse(arity.body().path("error").path("message").asText().isEmpty());
        RestClient.Response limit = rest.get("/v1/views/customer_stats/rows?limit=-3");
        assertEquals(400, limit.status());
        RestClient.Response token = rest.get("/v1/views/customer_stats/rows/c-1?min_position=garbage");
        assertEquals(400, token.status());
    }

    /** With view.changes.schemas on, Debezium's own SMT flattens the records of the real change topic as written. */
    @Test
    void shouldLetDebeziumsExtractNewRecordStateFlattenTheChangeTopicAsWritten() throws Exception {
        readCaughtUp("/v1/views/customer_stats/rows/c-1");
        var converter = new org.apache.kafka.connect.json.JsonConverter();
        converter.configure(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC"), false);
        var unwrap = new io.debezium.transforms.ExtractNewRecordState<org.apache.kafka.connect.sink.SinkRecord>();
        unwrap.configure(Map.of());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "smt-check");
        int flattened = 0;
        String topic = Topics.viewChanges("statefront", "customer_stats");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (flattened < 200 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue;
                    }
                    var k = converter.toConnectData(topic, r.key());
                    var v = converter.toConnectData(topic, r.value());
                    var out = unwrap.apply(new org.apache.kafka.connect.sink.SinkRecord(topic, r.partition(),
                            k.schema(), k.value(), v.schema(), v.value(), r.offset()));
                    var row = (org.apache.kafka.connect.data.Struct) out.value();
                    var key = (org.apache.kafka.connect.data.Struct) out.key();
                    assertEquals(key.get("customer_id"), row.get("customer_id"), "flat row of its key");
                    assertTrue(row.getInt64("order_count") >= 1, row.toString());
                    assertTrue(row.getString("last_ts").endsWith("Z"), row.toString());
                    flattened++;
                }
            }
        }
        assertTrue(flattened >= 200, "flattened " + flattened + " change records");
    }

    @Test
    void shouldSendUndecodableRecordsToTheDeadLetterTopicWithReasons() throws Exception {
        readCaughtUp("/v1/views/customer_stats/rows/c-1");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-check");
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.deadLetter("statefront")));
            long deadline = System.currentTimeMillis() + 30_000;
            while (reasons.size() < MALFORMED + WRONG_TYPES && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    reasons.add(new String(r.headers().lastHeader("sf.error").value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(MALFORMED + WRONG_TYPES, reasons.size(), reasons.toString());
        Map<String, Integer> kinds = new HashMap<>();
        for (String reason : reasons) {
            kinds.merge(reason.contains("amount_cents") ? "type" : reason.toLowerCase().contains("json") ? "json" : "other",
                    1, Integer::sum);
        }
        assertEquals(Map.of("type", WRONG_TYPES, "json", MALFORMED), kinds, reasons.toString());
        assertEquals(MALFORMED + WRONG_TYPES, processor.metrics().deadLetters());
    }

    /** Last: it adds rows the oracle does not know. */
    @Test
    @Order(Integer.MAX_VALUE)
    void shouldAcceptEventsOverHttpAndReadThemBack() throws Exception {
        readCaughtUp("/v1/views/customer_stats/rows/c-1");
        RestClient.Response w = rest.post("/v1/sources/orders/events",
                "[{\"order_id\":\"http-1\",\"customer_id\":\"http-customer\",\"region\":\"eu-west\","
                        + "\"amount_cents\":500,\"status\":\"placed\",\"ts\":\"2026-01-01T00:00:00Z\"},"
                        + "{\"order_id\":\"http-2\",\"customer_id\":\"http-customer\",\"region\":\"eu-west\","
                        + "\"amount_cents\":700,\"status\":\"placed\",\"ts\":1767225600001}]");
        assertEquals(200, w.status(), () -> w.body().toString());
        String token = w.body().get("position").asText();
        RestClient.Response r = rest.get("/v1/views/customer_stats/rows/http-customer?min_position=" + enc(token)
                + "&wait_ms=5000");
        assertEquals(200, r.status(), () -> r.body().toString());
        assertEquals(2, r.body().get("row").get("order_count").asLong());
        assertEquals(1200, r.body().get("row").get("total_cents").asLong());
        assertEquals("2026-01-01T00:00:00.001Z", r.body().get("row").get("last_ts").asText());

        RestClient.Response bad = rest.post("/v1/sources/orders/events", "[{\"amount_cents\": \"x\"}]");
        assertEquals(400, bad.status(), () -> bad.body().toString());
        assertEquals(404, rest.post("/v1/sources/nope/events", "{}").status());
    }
}
