package dev.statefront.tests.mcp;

import static dev.statefront.tests.support.RestClient.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.Pipeline;
import dev.statefront.tests.support.RestClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP endpoint against the real pipeline (KRaft broker, processor, state server, gateway) with the SDK's own
 * client over Streamable HTTP: tools and their schemas, answers equal to REST's and the oracle's with position and
 * freshness, change catch-up by token, row subscriptions, and errors as tool errors; and {@code GET /v1/context}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpEndToEndTest {
    private static final int ORDERS = 20_000;

    @TempDir
    static Path dir;
    private EmbeddedKafka kafka;
    private ProcessorServer processor;
    private StateServer stateServer;
    private GatewayServer gateway;
    private RestClient rest;
    private McpSyncClient client;
    private final List<String> updated = new CopyOnWriteArrayList<>();
    private Pipeline pipeline;
    private Oracle oracle;
    private Position produced;

    @BeforeAll
    void start() throws Exception {
        pipeline = Pipeline.broker(dir);
        oracle = pipeline.oracle();
        produced = pipeline.produce(11, 2_000, ORDERS, null);
        pipeline.startRoles(dir, Orders.DEMO_SQL, false);
        kafka = pipeline.kafka();
        processor = pipeline.processor();
        stateServer = pipeline.stateServer();
        gateway = pipeline.gateway();
        rest = pipeline.rest();
        pipeline.awaitCaughtUp("customer_stats");
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + gateway.port())
                .endpoint("/mcp")
                .jsonMapper(new JacksonMcpJsonMapper(Json.mapper()))
                .build();
        client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(30))
                .resourcesUpdateConsumer(contents -> contents.forEach(c -> updated.add(c.uri())))
                .build();
        McpSchema.InitializeResult init = client.initialize();
        assertEquals("statefront", init.serverInfo().name());
        assertTrue(init.capabilities().resources().subscribe(), "rows can be subscribed to");
        long deadline = System.currentTimeMillis() + 30_000;
        while (client.listTools().tools().stream().noneMatch(t -> t.name().equals("lookup_region_status"))) {
            assertTrue(System.currentTimeMillis() < deadline, "per-view tools did not appear");
            Thread.sleep(200);
        }
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.closeGracefully();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    private static JsonNode structured(McpSchema.CallToolResult r) {
        assertFalse(Boolean.TRUE.equals(r.isError()), () -> "tool error: " + r.content());
        JsonNode s = Json.mapper().valueToTree(r.structuredContent());
        assertTrue(s.hasNonNull("position"), "every answer has a position: " + s);
        assertTrue(s.get("freshness").hasNonNull("as_of"), "and a known freshness: " + s);
        assertTrue(s.get("freshness").get("lag_ms").asLong() >= 0);
        assertFalse(r.content().isEmpty(), "and a text rendering");
        return s;
    }

    /** view name to rows, without the per-read freshness. */
    private static Map<String, JsonNode> rowsOf(JsonNode context) {
        Map<String, JsonNode> out = new HashMap<>();
        context.get("views").forEach(v -> out.put(v.get("view").asText(), v.get("rows")));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(McpSchema.Tool tool) {
        return (Map<String, Object>) tool.inputSchema().get("properties");
    }

    private static String errorText(McpSchema.CallToolResult r) {
        assertTrue(Boolean.TRUE.equals(r.isError()), () -> "expected a tool error, got " + r.structuredContent());
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void shouldListGeneratedPerViewToolsWithTypedKeyParameters() {
        Map<String, McpSchema.Tool> tools = new HashMap<>();
        client.listTools().tools().forEach(t -> tools.put(t.name(), t));
        assertTrue(tools.keySet().containsAll(List.of("list_views", "describe_view", "scan_rows", "recent_changes",
                "get_context", "lookup_customer_stats", "lookup_region_status")), tools.keySet().toString());
        McpSchema.Tool cs = tools.get("lookup_customer_stats");
        Map<String, Object> props = properties(cs);
        @SuppressWarnings("unchecked")
        Map<String, Object> id = (Map<String, Object>) props.get("customer_id");
        assertEquals("string", id.get("type"));
        assertTrue(props.containsKey("keys") && props.containsKey("min_position") && props.containsKey("wait_ms"));
        assertTrue(cs.description().contains("order_count"), "the description names the columns it returns");
        Map<String, Object> rs = properties(tools.get("lookup_region_status"));
        assertTrue(rs.containsKey("region") && rs.containsKey("status"), rs.toString());
        assertTrue(Boolean.TRUE.equals(cs.annotations().readOnlyHint()));

        JsonNode views = structured(call("list_views", Map.of())).get("views");
        assertEquals(2, views.size());
        JsonNode d = structured(call("describe_view", Map.of("view", "customer_stats")));
        assertEquals("customer_id", d.get("key").get(0).asText());
        assertTrue(d.get("sql").asText().contains("GROUP BY customer_id"));
        assertEquals(oracle.customerStats().size(), d.get("row_count").asLong());
    }

    @Test
    void shouldLookUpRowsLikeRestAndTheOracle() {
        Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
        for (String id : List.of("c-1", "c-17", "c-1999", "nobody")) {
            JsonNode s = structured(call("lookup_customer_stats", Map.of("customer_id", id,
                    "min_position", produced.token(), "wait_ms", 5000)));
            Position answered = Position.fromToken(s.get("position").asText());
            assertFalse(answered.isEmpty(), "every answer has a position");
            answered.asMap().forEach((tp, offset) -> assertTrue(offset >= produced.asMap().getOrDefault(tp, 0L),
                    "the answer's partition reflects min_position: " + tp));
            Oracle.CustomerStats e = expected.get(id);
            assertEquals(e != null, s.get("found").asBoolean(), id);
            RestClient.Response viaRest = rest.get("/v1/views/customer_stats/rows/" + id);
            if (e == null) {
                assertEquals(404, viaRest.status());
                continue;
            }
            JsonNode row = s.get("row");
            assertEquals(viaRest.body().get("row"), row, id);
            assertEquals(e.orderCount(), row.get("order_count").asLong());
            assertEquals(e.totalCents(), row.get("total_cents").asLong());
            assertEquals(e.maxCents(), row.get("max_cents").asLong());
            assertEquals(JsonValues.formatTimestamp(e.lastTs()), row.get("last_ts").asText());
        }
        JsonNode batch = structured(call("lookup_customer_stats", Map.of("keys", List.of(
                Map.of("customer_id", "c-2"), Map.of("customer_id", "nobody"), Map.of("customer_id", "c-3")))));
        JsonNode results = batch.get("results");
        assertEquals(3, results.size());
        assertEquals(expected.get("c-2").orderCount(), results.get(0).get("row").get("order_count").asLong());
        assertFalse(results.get(1).get("found").asBoolean());
        assertEquals(expected.get("c-3").orderCount(), results.get(2).get("row").get("order_count").asLong());

        Oracle.RegionStatus any = oracle.regionStatus().values().iterator().next();
        JsonNode composite = structured(call("lookup_region_status", Map.of("region", any.region(),
                "status", any.status())));
        assertEquals(any.n(), composite.get("row").get("n").asLong());
    }

    @Test
    void shouldScanInPagesLikeRest() {
        JsonNode first = structured(call("scan_rows", Map.of("view", "customer_stats", "from", List.of("c-3"),
                "limit", 50)));
        RestClient.Response viaRest = rest.get("/v1/views/customer_stats/rows?from=c-3&limit=50");
        assertEquals(viaRest.body().get("rows"), first.get("rows"));
        assertEquals(viaRest.body().get("next_cursor"), first.get("next_cursor"));
        JsonNode second = structured(call("scan_rows", Map.of("view", "customer_stats", "from", List.of("c-3"),
                "limit", 50, "cursor", first.get("next_cursor").asText())));
        assertTrue(second.get("rows").get(0).get("customer_id").asText()
                .compareTo(first.get("rows").get(49).get("customer_id").asText()) > 0, "the next page follows");
        long eu = oracle.regionStatus().values().stream().filter(r -> r.region().startsWith("eu-")).count();
        JsonNode prefixed = structured(call("scan_rows", Map.of("view", "region_status", "prefix", List.of("eu-"),
                "limit", 1000)));
        assertEquals(eu, prefixed.get("rows").size());
    }

    @Test
    void shouldAnswerContextLikeRest() {
        JsonNode s = structured(call("get_context", Map.of("column", "customer_id", "value", "c-17")));
        JsonNode viaRest = rest.get("/v1/context?customer_id=c-17").body();
        assertEquals(rowsOf(s), rowsOf(viaRest));
        assertEquals(1, s.get("views").size(), "only customer_stats is keyed by customer_id");
        assertEquals(oracle.customerStats().get("c-17").orderCount(),
                s.get("views").get(0).get("rows").get(0).get("order_count").asLong());
        JsonNode byEntity = structured(call("get_context", Map.of("entity", "customer_id = c-17")));
        assertEquals(rowsOf(s), rowsOf(byEntity));

        String region = oracle.regionStatus().values().iterator().next().region();
        JsonNode regions = structured(call("get_context", Map.of("column", "region", "value", region)));
        long expected = oracle.regionStatus().values().stream().filter(r -> r.region().equals(region)).count();
        JsonNode rows = regions.get("views").get(0).get("rows");
        assertEquals(expected, rows.size(), "a composite key leading with the column gives every row of that value");
        rows.forEach(r -> assertEquals(region, r.get("region").asText()));
        RestClient.Response restRegions = rest.get("/v1/context?region=" + enc(region));
        assertEquals(200, restRegions.status());
        assertEquals(rowsOf(regions), rowsOf(restRegions.body()));
        assertTrue(restRegions.body().get("freshness").hasNonNull("as_of"));

        assertEquals(400, rest.get("/v1/context?no_such_column=1").status());
        assertEquals(400, rest.get("/v1/context").status());
        assertTrue(rest.get("/v1/context?no_such_column=1").body().get("error").get("message").asText()
                .contains("customer_id"), "the error names the columns that work");
    }

    @Test
    void shouldAnswerErrorsAsToolErrors() {
        assertTrue(errorText(call("describe_view", Map.of("view", "nope"))).contains("nope"));
        assertTrue(errorText(call("scan_rows", Map.of("view", "nope"))).contains("NOT_FOUND"));
        String wrongType = errorText(call("lookup_customer_stats", Map.of("customer_id", 17)));
        assertTrue(wrongType.contains("customer_id") || wrongType.contains("VARCHAR"), wrongType);
        assertTrue(errorText(call("lookup_region_status", Map.of("region", "eu-west"))).contains("status"),
                "a missing key column is named");
        assertTrue(errorText(call("scan_rows", Map.of("view", "customer_stats", "limit", 1_000_000)))
                .contains("limit"));
        assertTrue(errorText(call("recent_changes", Map.of("view", "customer_stats", "since", "bogus")))
                .contains("bogus"));
        assertTrue(errorText(call("get_context", Map.of("column", "nope", "value", "x"))).contains("nope"));
        assertTrue(errorText(call("lookup_customer_stats", Map.of("customer_id", "c-1", "wait_ms", -5)))
                .contains("wait_ms"));
        // still a working session after errors
        structured(call("list_views", Map.of()));
    }

    /** Last: it adds rows the oracle does not know. */
    @Test
    @Order(Integer.MAX_VALUE)
    void shouldResumeRecentChangesFromATokenWithoutGapsAndPushRowUpdates() throws Exception {
        JsonNode recent = structured(call("recent_changes", Map.of("view", "customer_stats", "last", 5)));
        assertTrue(recent.get("changes").size() <= 5);
        String token = recent.get("next_token").asText();
        assertFalse(token.isEmpty());

        String uri = "statefront://views/customer_stats/rows/c-mcp-1";
        client.subscribeResource(new McpSchema.SubscribeRequest(uri));
        McpSchema.ReadResourceResult before = client.readResource(new McpSchema.ReadResourceRequest(uri));
        assertTrue(((McpSchema.TextResourceContents) before.contents().get(0)).text().contains("\"found\":false"));

        int events = 7;
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            body.append(i > 0 ? "," : "").append("{\"order_id\":\"m-").append(i)
                    .append("\",\"customer_id\":\"c-mcp-").append(i % 3 == 0 ? 1 : 2 + i)
                    .append("\",\"region\":\"eu-west\",\"amount_cents\":").append(100 + i)
                    .append(",\"status\":\"placed\",\"ts\":\"2026-11-22T10:00:00Z\"}");
        }
        RestClient.Response w = rest.post("/v1/sources/orders/events", body.append(']').toString());
        assertEquals(200, w.status(), () -> String.valueOf(w.body()));
        String written = w.body().get("position").asText();
        JsonNode row = structured(call("lookup_customer_stats", Map.of("customer_id", "c-mcp-1",
                "min_position", written, "wait_ms", 10_000)));
        assertEquals(3, row.get("row").get("order_count").asLong(), "read your writes through min_position");

        long deadline = System.currentTimeMillis() + 20_000;
        while (!updated.contains(uri)) {
            assertTrue(System.currentTimeMillis() < deadline, "no notifications/resources/updated for " + uri
                    + "; got " + updated);
            Thread.sleep(50);
        }
        assertFalse(updated.stream().anyMatch(u -> u.endsWith("/c-mcp-3")), "only subscribed rows are pushed");

        // catch up from the token in small pages: every new customer_stats change, in order, none twice
        Set<String> seenTokens = new HashSet<>();
        Map<String, Long> lastCount = new HashMap<>();
        String next = token;
        deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            JsonNode page = structured(call("recent_changes", Map.of("view", "customer_stats", "since", next,
                    "limit", 2)));
            assertTrue(page.get("changes").size() <= 2);
            for (JsonNode c : page.get("changes")) {
                assertTrue(seenTokens.add(c.get("token").asText()), "no change twice");
                String id = c.get("key").get("customer_id").asText();
                long count = c.get("after").get("order_count").asLong();
                long prev = c.get("before").isNull() ? 0 : c.get("before").get("order_count").asLong();
                assertEquals(lastCount.getOrDefault(id, prev), prev, "no gap in " + id + "'s changes");
                lastCount.put(id, count);
            }
            next = page.get("next_token").asText();
            if (!page.get("more").asBoolean() && lastCount.getOrDefault("c-mcp-1", 0L) == 3
                    && lastCount.keySet().stream().filter(k -> k.startsWith("c-mcp-")).count() == 5) {
                break;
            }
            assertTrue(System.currentTimeMillis() < deadline, "changes missing: " + lastCount);
        }
        JsonNode after = structured(call("recent_changes", Map.of("view", "customer_stats", "since", next)));
        assertEquals(0, after.get("changes").size(), "nothing new after the last token");
        assertNotNull(after.get("next_token"));
    }
}
