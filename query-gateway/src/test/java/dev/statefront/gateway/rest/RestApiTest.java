package dev.statefront.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.core.Schema;
import dev.statefront.core.Topics;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.gateway.GatewayStartException;
import dev.statefront.gateway.routing.LocalStateReplica;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.ingest.EventSink;
import dev.statefront.ingest.ProduceResult;
import dev.statefront.ingest.RecordOffset;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {
    static final String APP = "rt";
    static final long NOW = 1_800_000_000_000L;
    static final int MAX_BODY = 64 * 1024;

    static final CatalogEntry CUSTOMERS = view("customer_stats", 4, List.of(
            new Column("customer_id", ColumnType.VARCHAR), new Column("order_count", ColumnType.BIGINT),
            new Column("total_cents", ColumnType.BIGINT), new Column("max_cents", ColumnType.BIGINT),
            new Column("last_ts", ColumnType.TIMESTAMP)), List.of("customer_id"));
    static final CatalogEntry BY_STATUS = view("orders_by_status", 3, List.of(
            new Column("region", ColumnType.VARCHAR), new Column("status", ColumnType.VARCHAR),
            new Column("n", ColumnType.BIGINT), new Column("amount", ColumnType.decimal(10, 2))),
            List.of("region", "status"));
    static final CatalogEntry DAILY = view("daily_totals", 2, List.of(
            new Column("day", ColumnType.INT), new Column("total", ColumnType.DOUBLE)), List.of("day"));
    static final CatalogEntry ORDERS = new CatalogEntry(CatalogEntry.Kind.SOURCE, "orders", "CREATE SOURCE orders ...",
            Schema.of(List.of(new Column("order_id", ColumnType.VARCHAR), new Column("customer_id", ColumnType.VARCHAR),
                    new Column("amount_cents", ColumnType.BIGINT)), List.of()), "orders", 4, List.of(),
            Map.of("format", "json", "key", "customer_id"));

    static CatalogEntry view(String name, int partitions, List<Column> columns, List<String> key) {
        return new CatalogEntry(CatalogEntry.Kind.VIEW, name, "CREATE MATERIALIZED VIEW " + name + " AS ...",
                Schema.of(columns, key), Topics.viewChanges(APP, name), partitions, List.of("orders"), Map.of());
    }

    @TempDir
    static Path dir;
    StateServer state;
    ViewFeeder feeder;
    GatewayServer gateway;
    HttpClient http;
    final TreeMap<String, Object[]> customers = new TreeMap<>();
    final List<List<JsonNode>> ingested = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        state = new StateServer(new StateServerConfig(null, APP, dir, Map.of(), Duration.ofSeconds(2)),
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        feeder = new ViewFeeder(APP, state.startEmbedded());
        feeder.catalog(ORDERS).catalog(CUSTOMERS).catalog(BY_STATUS).catalog(DAILY).flush();
        for (int i = 1; i <= 250; i++) {
            Object[] row = {"c-" + i, (long) i, i * 100L, i * 10L, NOW - i * 1000L};
            customers.put("c-" + i, row);
            feeder.upsert("customer_stats", row, Position.EMPTY);
        }
        for (String region : List.of("eu-west", "eu-east", "us-west")) {
            for (String status : List.of("placed", "paid", "planned", "shipped")) {
                feeder.upsert("orders_by_status", new Object[] {region, status, 7L, new BigDecimal("12.50")},
                        Position.EMPTY);
            }
        }
        for (int day : new int[] {10, 2, 1, -3, 100}) {
            feeder.upsert("daily_totals", new Object[] {day, day * 1.5}, Position.EMPTY);
        }
        feeder.flush();
        for (CatalogEntry v : List.of(CUSTOMERS, BY_STATUS, DAILY)) {
            Position pos = Position.EMPTY;
            for (int p = 0; p < 4; p++) {
                pos = pos.with("orders", p, 100);
            }
            feeder.markers(v.name(), pos, NOW - 4);
        }
        feeder.flush();
        EventSink sink = (source, events) -> {
            ingested.add(events);
            List<RecordOffset> offsets = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                offsets.add(new RecordOffset(i % 2, 40 + i));
            }
            return new ProduceResult(source.name(), source.topic(), offsets,
                    Position.of(source.topic(), 0, 40 + events.size()));
        };
        gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, null, APP, Map.of(), MAX_BODY),
                new PartitionRouter(List.of(new LocalStateReplica(state))), Duration.ofSeconds(2), sink);
        gateway.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stop() {
        gateway.close();
        state.close();
    }

    // ------------------------------------------------------------------ client

    record Answer(int status, JsonNode json) {
    }

    Answer get(String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    Answer post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                "content type of " + r.uri() + ": " + r.headers().map());
        return new Answer(r.statusCode(), Json.mapper().readTree(r.body()));
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void assertError(Answer a, int status, String code, String messagePart) {
        assertEquals(status, a.status(), a.json().toString());
        JsonNode e = a.json().get("error");
        assertNotNull(e, a.json().toString());
        assertEquals(code, e.get("code").asText(), a.json().toString());
        assertTrue(e.get("message").asText().contains(messagePart), e.get("message").asText());
        assertTrue(e.get("details").isObject());
        assertEquals(1, a.json().size(), "only the error field: " + a.json());
    }

    static List<String> ids(JsonNode rows, String column) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get(column).asText()));
        return out;
    }

    // ------------------------------------------------------------------ reads

    @Test
    void shouldAnswerOneRowWithTypedValuesPositionAndFreshness() throws Exception {
        Answer a = get("/v1/views/customer_stats/rows/c-17");
        assertEquals(200, a.status(), a.json().toString());
        JsonNode row = a.json().get("row");
        assertEquals("customer_stats", a.json().get("view").asText());
        assertEquals("c-17", row.get("customer_id").asText());
        assertEquals(17, row.get("order_count").asLong());
        assertTrue(row.get("order_count").isIntegralNumber());
        assertEquals(JsonValues.formatTimestamp(NOW - 17_000), row.get("last_ts").asText());
        Position pos = Position.fromToken(a.json().get("position").asText());
        assertTrue(pos.covers(Position.of("orders", 1, 100)), pos.toString());
        assertEquals(4, a.json().get("freshness").get("lag_ms").asLong());
        assertEquals(JsonValues.formatTimestamp(NOW - 4), a.json().get("freshness").get("as_of").asText());
    }

    @Test
    void shouldReadCompositeKeysFromPathSegments() throws Exception {
        Answer a = get("/v1/views/orders_by_status/rows/eu-west/placed");
        assertEquals(200, a.status(), a.json().toString());
        assertEquals("eu-west", a.json().get("row").get("region").asText());
        HttpResponse<String> raw = http.send(HttpRequest.newBuilder(uri("/v1/views/orders_by_status/rows/eu-west/placed"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(raw.body().contains("\"amount\":12.50"), raw.body());
        assertError(get("/v1/views/orders_by_status/rows/eu-west"), 400, "INVALID_ARGUMENT", "give 2 value(s)");
        assertError(get("/v1/views/orders_by_status/rows/eu-west/lost"), 404, "NOT_FOUND", "no row");
        assertError(get("/v1/views/daily_totals/rows/ten"), 400, "INVALID_ARGUMENT", "day");
        assertEquals(200, get("/v1/views/daily_totals/rows/-3").status());
    }

    @Test
    void shouldAnswerNotFoundForUnknownViewsKeysAndRoutes() throws Exception {
        assertError(get("/v1/views/nope"), 404, "NOT_FOUND", "nope");
        assertError(get("/v1/views/nope/rows/x"), 404, "NOT_FOUND", "customer_stats");
        Answer missing = get("/v1/views/customer_stats/rows/c-999");
        assertError(missing, 404, "NOT_FOUND", "c-999");
        assertEquals("c-999", missing.json().get("error").get("details").get("key").get("customer_id").asText());
        assertError(get("/v2/whatever"), 404, "NOT_FOUND", "/v2/whatever");
        assertError(post("/v1/views", "{}"), 404, "NOT_FOUND", "POST");
        assertError(get("/v1/sources/nope"), 404, "NOT_FOUND", "orders");
    }

    @Test
    void shouldListAndDescribeViews() throws Exception {
        Answer list = get("/v1/views");
        assertEquals(200, list.status());
        assertEquals(List.of("customer_stats", "daily_totals", "orders_by_status"), ids(list.json().get("views"), "name"));
        assertEquals(250, list.json().get("views").get(0).get("row_count").asLong());
        assertNotNull(list.json().get("position"));

        Answer d = get("/v1/views/orders_by_status");
        assertEquals(200, d.status());
        JsonNode v = d.json();
        assertEquals("orders_by_status", v.get("view").asText());
        assertEquals(12, v.get("row_count").asLong());
        assertEquals(3, v.get("partitions").asInt());
        assertEquals("[\"region\",\"status\"]", v.get("key").toString());
        assertEquals("DECIMAL(10,2)", v.get("columns").get(3).get("type").asText());
        assertTrue(v.get("columns").get(0).get("key").asBoolean());
        assertEquals(Topics.viewChanges(APP, "orders_by_status"), v.get("topic").asText());
        assertTrue(v.get("sql").asText().startsWith("CREATE MATERIALIZED VIEW"));
        assertEquals(3, v.get("partition_states").size());
        assertEquals(4, v.get("freshness").get("lag_ms").asLong());

        Answer sources = get("/v1/sources");
        assertEquals("orders", sources.json().get("sources").get(0).get("name").asText());
        assertEquals("orders", get("/v1/sources/orders").json().get("topic").asText());
    }

    @Test
    void shouldPageThroughAWholeViewInKeyOrderWithCursors() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Answer a = get("/v1/views/customer_stats/rows?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, a.status(), a.json().toString());
            assertTrue(a.json().get("rows").size() <= 7);
            seen.addAll(ids(a.json().get("rows"), "customer_id"));
            cursor = a.json().get("next_cursor").isNull() ? null : a.json().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 100);
        assertEquals(new ArrayList<>(customers.keySet()), seen);
        assertEquals(36, pages);
        Answer all = get("/v1/views/customer_stats/rows?limit=10000");
        assertEquals(250, all.json().get("rows").size());
        assertTrue(all.json().get("next_cursor").isNull());
        assertEquals(100, get("/v1/views/customer_stats/rows").json().get("rows").size());
    }

    @Test
    void shouldScanRangesAndPrefixes() throws Exception {
        Answer range = get("/v1/views/customer_stats/rows?from=c-100&to=c-102");
        assertEquals(List.of("c-100", "c-101"), ids(range.json().get("rows"), "customer_id"));

        Answer prefix = get("/v1/views/customer_stats/rows?prefix=c-24&limit=1000");
        assertEquals(new ArrayList<>(customers.subMap("c-24", "c-25").keySet()),
                ids(prefix.json().get("rows"), "customer_id"));

        Answer region = get("/v1/views/orders_by_status/rows?prefix=eu-west");
        assertEquals(List.of("paid", "placed", "planned", "shipped"), ids(region.json().get("rows"), "status"));
        Answer both = get("/v1/views/orders_by_status/rows?prefix=eu-west&prefix=pl");
        assertEquals(List.of("placed", "planned"), ids(both.json().get("rows"), "status"));
        Answer eu = get("/v1/views/orders_by_status/rows?prefix=eu-");
        assertEquals(8, eu.json().get("rows").size());
        assertEquals(List.of("eu-east", "eu-east", "eu-east", "eu-east", "eu-west", "eu-west", "eu-west", "eu-west"),
                ids(eu.json().get("rows"), "region"));

        Answer composite = get("/v1/views/orders_by_status/rows?from=eu-west&from=placed&to=us-west&to=planned");
        assertEquals(List.of("eu-west/placed", "eu-west/planned", "eu-west/shipped", "us-west/paid", "us-west/placed"),
                rowKeys(composite.json().get("rows")));

        Answer days = get("/v1/views/daily_totals/rows");
        assertEquals(List.of("-3", "1", "2", "10", "100"), ids(days.json().get("rows"), "day"));
        assertEquals(List.of("2", "10"), ids(get("/v1/views/daily_totals/rows?from=2&to=100").json().get("rows"), "day"));

        Answer paged = get("/v1/views/orders_by_status/rows?prefix=us-west&limit=3");
        String cursor = paged.json().get("next_cursor").asText();
        Answer rest = get("/v1/views/orders_by_status/rows?prefix=us-west&limit=3&cursor=" + cursor);
        assertEquals(List.of("shipped"), ids(rest.json().get("rows"), "status"));
        assertTrue(rest.json().get("next_cursor").isNull());
    }

    static List<String> rowKeys(JsonNode rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.get("region").asText() + "/" + r.get("status").asText()));
        return out;
    }

    @Test
    void shouldRejectBadScanArguments() throws Exception {
        assertError(get("/v1/views/customer_stats/rows?limit=0"), 400, "INVALID_ARGUMENT", "limit");
        assertError(get("/v1/views/customer_stats/rows?limit=10001"), 400, "INVALID_ARGUMENT", "10000");
        assertError(get("/v1/views/customer_stats/rows?limit=ten"), 400, "INVALID_ARGUMENT", "'ten'");
        assertError(get("/v1/views/customer_stats/rows?cursor=%21%21"), 400, "INVALID_ARGUMENT", "next_cursor");
        assertError(get("/v1/views/customer_stats/rows?from=a&from=b"), 400, "INVALID_ARGUMENT", "from");
        assertError(get("/v1/views/daily_totals/rows?prefix=x"), 400, "INVALID_ARGUMENT", "INT");
        assertError(get("/v1/views/customer_stats/rows?min_position=garbage"), 400, "INVALID_ARGUMENT",
                "min_position");
        assertError(get("/v1/views/customer_stats/rows?wait_ms=-1"), 400, "INVALID_ARGUMENT", "wait_ms");
    }

    @Test
    void shouldAnswerNotUpToPositionWithDetailsAndServeOnceReached() throws Exception {
        String ahead = Position.of("orders", 0, 500).token();
        Answer behind = get("/v1/views/customer_stats/rows?min_position=" + ahead + "&wait_ms=50");
        assertError(behind, 503, "NOT_UP_TO_POSITION", "min_position");
        JsonNode details = behind.json().get("error").get("details");
        assertEquals(400, details.get("missing").get("orders/0").asLong());
        assertNotNull(details.get("position"));

        String reached = Position.of("orders", 0, 100).token();
        assertEquals(200, get("/v1/views/customer_stats/rows/c-1?min_position=" + reached).status());
    }

    @Test
    void shouldWaitForMinPositionThenAnswer() throws Exception {
        String wanted = Position.of("orders", 3, 150).token();
        CompletableFuture<Answer> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/v1/views/daily_totals?min_position=" + wanted + "&wait_ms=2000");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(150);
        assertFalse(pending.isDone());
        Position pos = Position.EMPTY;
        for (int p = 0; p < 4; p++) {
            pos = pos.with("orders", p, 150);
        }
        synchronized (feeder) {
            feeder.markers("daily_totals", pos, NOW - 4);
            feeder.flush();
        }
        Answer a = pending.get(3, TimeUnit.SECONDS);
        assertEquals(200, a.status(), a.json().toString());
        assertTrue(Position.fromToken(a.json().get("position").asText()).covers(Position.fromToken(wanted)));
    }

    @Test
    void shouldBatchGetInRequestOrderMarkingMissingKeys() throws Exception {
        Answer a = post("/v1/views/customer_stats/rows:batchGet", "{\"keys\": [[\"c-2\"], [\"c-404\"], [\"c-1\"]]}");
        assertEquals(200, a.status(), a.json().toString());
        JsonNode rows = a.json().get("rows");
        assertEquals(3, rows.size());
        assertEquals("c-2", rows.get(0).get("row").get("customer_id").asText());
        assertTrue(rows.get(0).get("found").asBoolean());
        assertEquals("c-404", rows.get(1).get("key").get("customer_id").asText());
        assertTrue(rows.get(1).get("row").isNull());
        assertFalse(rows.get(1).get("found").asBoolean());
        assertEquals("c-1", rows.get(2).get("row").get("customer_id").asText());
        assertNotNull(a.json().get("position"));
        assertNotNull(a.json().get("freshness"));

        Answer bare = post("/v1/views/customer_stats/rows:batchGet", "{\"keys\": [\"c-3\", \"c-4\"]}");
        assertEquals(List.of("c-3", "c-4"), List.of(bare.json().get("rows").get(0).get("row").get("customer_id")
                .asText(), bare.json().get("rows").get(1).get("row").get("customer_id").asText()));
        Answer composite = post("/v1/views/orders_by_status/rows:batchGet",
                "{\"keys\": [[\"us-west\", \"paid\"], [\"eu-west\", \"nope\"]]}");
        assertTrue(composite.json().get("rows").get(0).get("found").asBoolean());
        assertFalse(composite.json().get("rows").get(1).get("found").asBoolean());
        Answer numeric = post("/v1/views/daily_totals/rows:batchGet", "{\"keys\": [10, \"2\"]}");
        assertTrue(numeric.json().get("rows").get(1).get("found").asBoolean(), numeric.json().toString());

        assertError(post("/v1/views/customer_stats/rows:batchGet", "{\"keys\": 3}"), 400, "INVALID_ARGUMENT", "keys");
        assertError(post("/v1/views/orders_by_status/rows:batchGet", "{\"keys\": [[\"us-west\"]]}"), 400,
                "INVALID_ARGUMENT", "keys[0]");
        assertError(post("/v1/views/daily_totals/rows:batchGet", "{\"keys\": [1.5]}"), 400, "INVALID_ARGUMENT",
                "keys[0]");
        assertError(post("/v1/views/customer_stats/rows:batchGet", "{\"keys\": [\"c-1\""), 400, "INVALID_ARGUMENT",
                "not valid JSON");
        assertError(post("/v1/views/nope/rows:batchGet", "{\"keys\": []}"), 404, "NOT_FOUND", "nope");
    }

    // ------------------------------------------------------------------ ingest

    @Test
    void shouldIngestOneEventOrAnArrayAndAnswerOffsetsAndPosition() throws Exception {
        Answer one = post("/v1/sources/orders/events",
                "{\"order_id\": \"o-1\", \"customer_id\": \"c-1\", \"amount_cents\": 250}");
        assertEquals(200, one.status(), one.json().toString());
        assertEquals("orders", one.json().get("source").asText());
        assertEquals(1, one.json().get("written").asInt());
        assertEquals(40, one.json().get("offsets").get(0).get("offset").asLong());
        assertEquals(Position.of("orders", 0, 41), Position.fromToken(one.json().get("position").asText()));

        Answer many = post("/v1/sources/orders/events", "[{\"order_id\": \"o-2\"}, {\"order_id\": \"o-3\"}]");
        assertEquals(2, many.json().get("written").asInt());
        assertEquals(1, many.json().get("offsets").get(1).get("partition").asInt());
        assertEquals("o-3", ingested.get(ingested.size() - 1).get(1).get("order_id").asText());
    }

    @Test
    void shouldRefuseBadEventsNamingEachIndexAndWriteNothing() throws Exception {
        int before = ingested.size();
        Answer a = post("/v1/sources/orders/events",
                "[{\"order_id\": \"o-1\"}, {\"amount_cents\": \"lots\"}, 7, {\"amount_cents\": 1.5}]");
        assertError(a, 400, "INVALID_ARGUMENT", "#1");
        JsonNode v = a.json().get("error").get("details").get("violations");
        assertEquals(3, v.size());
        assertEquals(List.of("1", "2", "3"), ids(v, "index"));
        assertTrue(v.get(0).get("reason").asText().contains("amount_cents"));
        assertEquals(before, ingested.size());
        assertError(post("/v1/sources/orders/events", "\"text\""), 400, "INVALID_ARGUMENT", "JSON object");
        assertError(post("/v1/sources/orders/events", "{"), 400, "INVALID_ARGUMENT", "not valid JSON");
        assertError(post("/v1/sources/nope/events", "{}"), 404, "NOT_FOUND", "nope");
    }

    @Test
    void shouldRefuseBodiesOverTheLimitWith413() throws Exception {
        StringBuilder sb = new StringBuilder("[");
        while (sb.length() < MAX_BODY + 1000) {
            sb.append("{\"order_id\": \"o-xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},");
        }
        sb.append("{}]");
        assertError(post("/v1/sources/orders/events", sb.toString()), 413, "PAYLOAD_TOO_LARGE", "limit");
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void shouldReportHealthAndUnavailableWhenTheStateServerIsNotRunning() throws Exception {
        assertEquals(200, get("/health").status());
        StateServer idle = new StateServer(new StateServerConfig(null, APP, dir.resolve("idle")));
        try (GatewayServer g = new GatewayServer(new GatewayConfig("127.0.0.1", 0, null, APP, null, 0), idle)) {
            g.start();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + g.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, health.statusCode());
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + g.port() + "/v1/views/x/rows/1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, read.statusCode());
            assertEquals("UNAVAILABLE", Json.mapper().readTree(read.body()).get("error").get("code").asText());
            HttpResponse<String> ingest = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + g.port() + "/v1/sources/orders/events"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ingest.statusCode());
        } finally {
            idle.close();
        }
    }

    @Test
    void shouldFailToStartClearlyWhenThePortIsInUse() {
        GatewayServer second = new GatewayServer(new GatewayConfig("127.0.0.1", gateway.port(), null, APP, null, 0),
                state);
        GatewayStartException e = assertThrows(GatewayStartException.class, second::start);
        assertTrue(e.getMessage().contains(String.valueOf(gateway.port())), e.getMessage());
        assertEquals(GatewayServer.State.STOPPED, second.state());
        second.close();
    }

    @Test
    void shouldEncodeKeySegmentsIndependently() throws Exception {
        Answer a = get("/v1/views/customer_stats/rows/" + enc("c-1").replace("-", "%2D"));
        assertEquals(200, a.status(), a.json().toString());
    }
}
