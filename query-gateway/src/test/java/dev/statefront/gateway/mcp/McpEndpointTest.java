package dev.statefront.gateway.mcp;

import dev.statefront.gateway.rest.ViewFeeder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Json;
import dev.statefront.core.Position;
import dev.statefront.core.Schema;
import dev.statefront.core.Topics;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.gateway.changes.ChangeSource;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.gateway.routing.LocalStateReplica;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.ingest.ProduceResult;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP endpoint over an embedded state server fed directly (no Kafka): answers bounded in bytes with a cursor
 * to go on, the tool list following the catalog with {@code notifications/tools/list_changed}, and tool errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpEndpointTest {
    static final String APP = "mcp";
    static final long NOW = 1_800_000_000_000L;
    static final int NOTES = 600;
    static final String BODY = "x".repeat(1_000);

    static final CatalogEntry NOTES_VIEW = view("notes", List.of(new Column("note_id", ColumnType.VARCHAR),
            new Column("body", ColumnType.VARCHAR)), List.of("note_id"));
    static final CatalogEntry TAGS_VIEW = view("tags", List.of(new Column("tag", ColumnType.VARCHAR),
            new Column("n", ColumnType.BIGINT)), List.of("tag"));

    static CatalogEntry view(String name, List<Column> columns, List<String> key) {
        return new CatalogEntry(CatalogEntry.Kind.VIEW, name, "CREATE MATERIALIZED VIEW " + name + " AS ...",
                Schema.of(columns, key), Topics.viewChanges(APP, name), 2, List.of("src"), Map.of());
    }

    @TempDir
    static Path dir;
    StateServer state;
    ViewFeeder feeder;
    GatewayServer gateway;
    McpSyncClient client;
    final List<List<String>> toolLists = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() {
        state = new StateServer(new StateServerConfig(null, APP, dir, Map.of(), Duration.ofSeconds(2)),
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        feeder = new ViewFeeder(APP, state.startEmbedded());
        feeder.catalog(NOTES_VIEW);
        for (int i = 0; i < NOTES; i++) {
            feeder.upsert("notes", new Object[] {String.format("n-%04d", i), BODY}, Position.EMPTY);
        }
        feeder.markers("notes", Position.of("src", 0, 10).with("src", 1, 10), NOW - 5);
        feeder.flush();
        gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, null, APP, Map.of(), 1 << 20),
                new PartitionRouter(List.of(new LocalStateReplica(state))), Duration.ofSeconds(2),
                (source, events) -> new ProduceResult(source.name(), source.topic(), List.of(), Position.EMPTY));
        gateway.start();
        client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + gateway.port())
                        .endpoint("/mcp").jsonMapper(new JacksonMcpJsonMapper(Json.mapper())).build())
                .requestTimeout(Duration.ofSeconds(20))
                .toolsChangeConsumer(tools -> toolLists.add(tools.stream().map(McpSchema.Tool::name).toList()))
                .build();
        client.initialize();
    }

    @AfterAll
    void stop() {
        client.closeGracefully();
        gateway.close();
        state.close();
    }

    private JsonNode call(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(tool, args));
        assertFalse(Boolean.TRUE.equals(r.isError()), () -> "tool error: " + r.content());
        return Json.mapper().valueToTree(r.structuredContent());
    }

    private String error(String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(tool, args));
        assertTrue(Boolean.TRUE.equals(r.isError()), () -> "expected a tool error: " + r.structuredContent());
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    private void awaitTool(String name) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (client.listTools().tools().stream().noneMatch(t -> t.name().equals(name))) {
            assertTrue(System.currentTimeMillis() < deadline, name + " did not appear");
            Thread.sleep(100);
        }
    }

    @Test
    void shouldFollowViewChangesOnlyOnceAnMcpRequestArrived() {
        try (McpEndpoint endpoint = new McpEndpoint(new ViewQueries(new PartitionRouter(
                List.of(new LocalStateReplica(state))), Duration.ofSeconds(2)), ChangeSource.of(state))) {
            endpoint.refresh();
            assertEquals(Set.of(), endpoint.watchedViews(), "no agent yet: no view's changes are read");
            endpoint.requestArrived();
            Set<String> watched = endpoint.watchedViews();
            assertTrue(watched.contains("notes"), "the first request starts following them: " + watched);
            endpoint.refresh();
            assertEquals(watched, endpoint.watchedViews(), "once per view");
        }
    }

    @Test
    void shouldBoundScansInBytesAndContinueWithTheCursor() throws Exception {
        awaitTool("lookup_notes");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = call("scan_rows", cursor == null ? Map.of("view", "notes", "limit", 1000)
                    : Map.of("view", "notes", "limit", 1000, "cursor", cursor));
            assertTrue(ViewTools.size(page.get("rows")) <= ViewTools.MAX_BYTES + 2_000, "bounded in bytes");
            page.get("rows").forEach(r -> seen.add(r.get("note_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertTrue(pages >= 3, "600 KB of rows take several pages of at most 256 KB: " + pages);
        assertEquals(NOTES, seen.size(), "every row once");
        assertEquals(seen.stream().sorted().distinct().toList(), seen, "in key order, no duplicates");
        assertTrue(error("scan_rows", Map.of("view", "notes", "limit", 1001)).contains("limit"));
        assertTrue(error("recent_changes", Map.of("view", "notes")).contains("UNAVAILABLE"),
                "no state server in this gateway's process: no change streams, said as a tool error");
    }

    @Test
    void shouldChangeTheToolListWhenAViewAppears() throws Exception {
        awaitTool("lookup_notes");
        feeder.catalog(TAGS_VIEW);
        feeder.upsert("tags", new Object[] {"red", 3L}, Position.EMPTY);
        feeder.markers("tags", Position.of("src", 0, 10).with("src", 1, 10), NOW - 5);
        feeder.flush();
        long deadline = System.currentTimeMillis() + 15_000;
        while (toolLists.stream().noneMatch(l -> l.contains("lookup_tags"))) {
            assertTrue(System.currentTimeMillis() < deadline, "no tools/list_changed with lookup_tags: " + toolLists);
            Thread.sleep(100);
        }
        JsonNode red = call("lookup_tags", Map.of("tag", "red"));
        assertEquals(3, red.get("row").get("n").asLong());
        assertTrue(error("lookup_tags", Map.of("tag", 5)).contains("tag"));
    }
}
